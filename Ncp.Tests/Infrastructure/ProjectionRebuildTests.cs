using Ncp.Api.Infrastructure.Marten;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure;

/// <summary>
/// <c>./ncp rebuild</c>, run the way the script runs it (<c>Ncp.Api rebuild ...</c>). A system of its own: a rebuild
/// empties the read model for a moment, which the shared system's other tests must never see.
/// </summary>
[Collection(OwnHostsCollection.Name)]
public sealed class ProjectionRebuildTests(NcpSystem ncp) : IClassFixture<NcpSystem>
{
    private string Table => $"{ncp.ApiSchema}.mt_doc_itemdetails";

    [Fact]
    public async Task Rebuilding_item_details_restores_deleted_and_stale_rows_from_the_event_log_with_the_new_fields()
    {
        var duty = ncp.ClientFor("duty");
        var deleted = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: "Rebuild: row deleted"));
        var withdrawn = await duty.ActAsync((await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: "Rebuild: withdrawn"))).Number(), "withdraw", new { reason = "Found elsewhere" });
        var endedAt = withdrawn.GetProperty("endedAt").GetDateTimeOffset();

        // As rows written before a field existed look: the row gone, or the field and its column missing.
        await ncp.QueryAsync<int?>($"delete from {Table} where id = @id", ("id", deleted.GetProperty("id").GetGuid()));
        await ncp.QueryAsync<int?>(
            $"update {Table} set data = data - 'EndedAt' - 'AwaitsAcknowledgement' - 'LastMailInAt', ended_at = null where id = @id",
            ("id", withdrawn.GetProperty("id").GetGuid()));
        await duty.GetJsonAsync($"/api/items/{deleted.Number()}", System.Net.HttpStatusCode.NotFound);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await duty.GetJsonAsync($"/api/items/{withdrawn.Number()}")).GetProperty("endedAt").ValueKind);

        var exit = await Ncp.Api.Program.Main(["rebuild", "ItemDetails", .. NcpSystem.AsArgs(ncp.ApiSettings)]);

        Assert.Equal(ProjectionRebuild.Done, exit);
        var restored = await duty.GetJsonAsync($"/api/items/{deleted.Number()}");
        Assert.Equal("Rebuild: row deleted", restored.Str("subject"));
        Assert.Equal(deleted.Version(), restored.Version());
        var mended = await duty.GetJsonAsync($"/api/items/{withdrawn.Number()}");
        Assert.Equal(endedAt, mended.GetProperty("endedAt").GetDateTimeOffset());
        Assert.True(await ncp.QueryAsync<bool>($"select ended_at is not null from {Table} where id = @id", ("id", withdrawn.GetProperty("id").GetGuid())));
        Assert.Equal("false", await ncp.QueryAsync<string>($"select data ->> 'AwaitsAcknowledgement' from {Table} where id = @id", ("id", withdrawn.GetProperty("id").GetGuid())));
    }

    [Fact]
    public async Task An_unknown_projection_is_refused_naming_the_ones_there_are_and_nothing_is_touched()
    {
        var before = await ncp.QueryAsync<long>($"select count(*) from {Table}");
        using var output = new StringWriter();
        await using var app = Ncp.Api.Program.Build(NcpSystem.AsArgs(ncp.ApiSettings));

        var exit = await ProjectionRebuild.RunAsync(app.Services, ["ItemDetail"], output, CancellationToken.None);

        Assert.Equal(ProjectionRebuild.Usage, exit);
        Assert.Contains("no projection named ItemDetail; one of: ", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("ItemDetails", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await ncp.QueryAsync<long>($"select count(*) from {Table}"));
    }
}
