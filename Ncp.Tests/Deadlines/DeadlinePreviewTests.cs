using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Deadlines;

/// <summary>The compose screen shows a draft's deadlines before it is sent: computed, never recorded.</summary>
[Collection(NcpCollection.Name)]
public sealed class DeadlinePreviewTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_draft_previews_the_deadlines_it_would_get_if_sent_now_and_nothing_is_registered()
    {
        var duty = ncp.ClientFor("duty");
        var subject = $"Preview only {Guid.NewGuid():N}";
        using var response = await duty.PostAsJsonAsync("/api/deadlines/preview", ItemsApi.OutgoingRequest(subject: subject));
        var deadlines = await ItemsApi.ExpectAsync(response, HttpStatusCode.OK);

        var acknowledgeBy = deadlines.GetProperty("acknowledgeBy").GetDateTimeOffset();
        var replyBy = deadlines.GetProperty("replyBy").GetDateTimeOffset();
        Assert.True(acknowledgeBy > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.True(replyBy >= acknowledgeBy);
        Assert.NotEqual(JsonValueKind.Null, deadlines.GetProperty("usefulUntil").ValueKind);

        var listed = await duty.GetJsonAsync($"/api/items?q={Uri.EscapeDataString(subject)}");
        Assert.Equal(0, listed.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_preview_of_a_bad_draft_names_the_fields_and_an_auditor_may_not_ask()
    {
        var body = ItemsApi.OutgoingRequest("NO-SUCH-UNIT");
        using var invalid = await ncp.ClientFor("duty").PostAsJsonAsync("/api/deadlines/preview", body);
        var problem = await ItemsApi.ExpectAsync(invalid, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("partnerCode", out _));

        using var auditor = await ncp.ClientFor("auditor").PostAsJsonAsync("/api/deadlines/preview", ItemsApi.OutgoingRequest());
        Assert.Equal(HttpStatusCode.Forbidden, auditor.StatusCode);
    }
}
