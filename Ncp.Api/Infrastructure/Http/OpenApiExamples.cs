using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ncp.Api.Infrastructure.Http;

/// <summary>Example request bodies in the OpenAPI document, so that the API page shows a valid request to start from.</summary>
public sealed class OpenApiExamples : IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, Func<JsonNode>> Examples = new()
    {
        ["RegisterItem"] = () => JsonNode.Parse("""
            {
              "kind": "request",
              "direction": "outgoing",
              "partnerCode": "DE-CYBER247",
              "channel": "24-7",
              "subject": "Subscriber and IP log data for 203.0.113.7 (online shop fraud)",
              "crimeCategory": "internet-fraud",
              "priority": "urgent",
              "criminalCaseNumber": "261500031000123",
              "legalBasis": "Convention on Cybercrime (ETS No. 185), art. 29 and 35; the national Criminal Procedure Code",
              "requestedData": ["subscriber-data", "traffic-data"],
              "dataPeriod": { "from": "2026-10-01", "to": "2026-10-31" },
              "language": "en",
              "handlingCode": "no-third-parties",
              "content": {
                "form": "stored-data",
                "identifiers": [
                  {
                    "type": "ip-address", "value": "203.0.113.7", "qualifier": "443",
                    "at": "2026-10-05T14:03:12+05:00", "timeZone": "Asia/Almaty",
                    "data": ["subscriber-data", "traffic-data"], "period": { "from": "2026-10-05", "to": "2026-10-05" }
                  },
                  { "type": "email", "value": "seller@example.com", "data": ["subscriber-data"] }
                ],
                "facts": "On 5 October 2026 the victim paid 2,000,000 KZT to an online shop that never delivered.",
                "offence": "Fraud, art. 190(2) of the Criminal Code of the Republic of Kazakhstan",
                "urgencyReason": "The provider keeps connection logs for 30 days."
              }
            }
            """)!,
        ["ChangeItemDetails"] = () => Examples!["RegisterItem"](),
        ["AcknowledgeItem"] = () => new JsonObject { ["partnerReference"] = "BKA-SO4-2026-0777" },
        ["RecordAnswer"] = () => new JsonObject { ["extent"] = "partial", ["summary"] = "Subscriber data received; IP logs to follow" },
        ["CloseItem"] = () => new JsonObject { ["reason"] = "All data received" },
        ["WithdrawItem"] = () => new JsonObject { ["reason"] = "Suspect identified through another source" },
        ["RefuseItem"] = () => new JsonObject { ["reason"] = "Partner: no legal basis without an MLA request" },
        ["ReopenItem"] = () => new JsonObject { ["reason"] = "A second IP address was found" },
        ["LogContact"] = () => new JsonObject
        {
            ["means"] = "phone",
            ["direction"] = "incoming",
            ["happenedAt"] = "2026-12-01T09:30:00+05:00",
            ["with"] = "Sgt. Weber, BKA 24/7 desk",
            ["summary"] = "Confirmed receipt; the provider has been asked to preserve the logs",
            ["attachments"] = new JsonArray(),
            ["countsAs"] = "acknowledgement",
            ["partnerReference"] = "BKA-2026-4471",
        },
        ["AssignOfficer"] = () => new JsonObject { ["officerId"] = "0193f3a0-0000-7000-8000-000000000001", ["officerName"] = "Duty Officer" },
        ["RemindPartner"] = () => new JsonObject { ["reason"] = "Their duty desk says the first mail never reached the officer on call" },
        ["AddNote"] = () => new JsonObject { ["text"] = "Called the partner's duty desk; answer expected tomorrow morning their time." },
        ["LinkItems"] = () => new JsonObject { ["targetNumber"] = "KZ-NCP-2026-000002", ["type"] = "same-criminal-case" },
        ["ForwardItem"] = () => new JsonObject { ["partnerCode"] = "INTERPOL-NCB-ASTANA", ["consentReference"] = "Originator's mail of 2026-11-27" },
        ["DeactivatePartner"] = () => new JsonObject { ["reason"] = "Unit merged into the national cybercrime centre" },
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId is { } id
            && Examples.TryGetValue(id, out var example)
            && operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true
            && media is OpenApiMediaType concrete)
        {
            concrete.Example = example();
        }

        return Task.CompletedTask;
    }
}
