using System.Net;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Auditing;

[Collection(NcpCollection.Name)]
public sealed class AuditTests(NcpSystem ncp)
{
    [Fact]
    public async Task Reading_an_item_leaves_an_audit_entry_that_an_auditor_can_see()
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest());
        await ncp.ClientFor("supervisor").GetJsonAsync($"/api/items/{item.Number()}");

        var entries = await ncp.ClientFor("auditor").GetJsonAsync($"/api/audit?registerNumber={item.Number()}");

        var entry = Assert.Single(entries.EnumerateArray());
        Assert.Equal("read-item", entry.Str("action"));
        Assert.Equal("Supervisor (demo)", entry.Str("userName"));
        await ncp.ClientFor("duty").GetJsonAsync("/api/audit", HttpStatusCode.Forbidden);
    }
}
