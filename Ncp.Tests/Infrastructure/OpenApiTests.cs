using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure;

[Collection(NcpCollection.Name)]
public sealed class OpenApiTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_OpenAPI_document_describes_every_item_command_with_an_example_body()
    {
        var document = await ncp.Api.CreateClient().GetJsonAsync("/openapi/v1.json");
        var paths = document.GetProperty("paths");

        var register = paths.GetProperty("/api/items").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.Equal("request", register.GetProperty("example").Str("kind"));
        foreach (var action in new[] { "send", "acknowledge", "answers", "close", "withdraw", "refuse", "reopen", "assignee", "notes", "links", "forward", "attachments" })
        {
            Assert.True(paths.TryGetProperty($"/api/items/{{number}}/{action}", out _), $"{action} is not in the OpenAPI document");
        }
    }
}
