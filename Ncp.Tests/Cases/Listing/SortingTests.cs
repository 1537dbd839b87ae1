using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Listing;

[Collection(NcpCollection.Name)]
public sealed class SortingTests(NcpSystem ncp)
{
    [Theory]
    [InlineData("newest")]
    [InlineData("oldest")]
    [InlineData("due")]
    [InlineData("priority")]
    [InlineData("partner")]
    public async Task Each_sort_pages_through_ties_and_missing_deadlines_in_order(string sort)
    {
        var (tag, items) = await RegisterMixAsync();

        // Two to a page, so pages end inside runs of equal deadlines, priorities and partners.
        var listed = await ncp.ClientFor("duty").ListAllAsync($"q={tag}&sort={sort}", limit: 2, maxPages: items.Count);

        Assert.Equal(Expected(sort, items).Select(i => i.Number), listed);
    }

    [Fact]
    public async Task A_next_value_from_another_sort_or_altered_is_refused_naming_after()
    {
        var (tag, _) = await RegisterMixAsync();
        var duty = ncp.ClientFor("duty");
        var next = (await duty.GetJsonAsync($"/api/items?q={tag}&sort=due&limit=2")).Str("next");
        await duty.GetJsonAsync($"/api/items?q={tag}&sort=due&limit=2&after={next}");

        var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(next));
        var altered = new[]
        {
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text.Replace("due|0|", "due|7|", StringComparison.Ordinal))),
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text[..^20])),
            next[..^3] + "***",
        };
        foreach (var query in new[] { "sort=partner", "", "sort=newest" }.Select(s => $"{s}&after={next}")
            .Concat(altered.Select(a => $"sort=due&after={Uri.EscapeDataString(a)}")))
        {
            var problem = await duty.GetJsonAsync($"/api/items?q={tag}&{query}", HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("after", out _), $"{query}: {problem}");
        }
    }

    /// <summary>
    /// Eight items: three share a deadline, three have none (drafts), each priority and partner more than once. Ids are
    /// the tie-breaker, as PostgreSQL orders uuids (their hex digits).
    /// </summary>
    private async Task<(string Tag, List<Registered> Items)> RegisterMixAsync()
    {
        var duty = ncp.ClientFor("duty");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var soon = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(3).Date, TimeSpan.Zero);
        (string Partner, int? DueInHours, string Priority)[] mix =
        [
            ("DE-CYBER247", 5, "normal"), ("FR-CYBER247", 5, "high"), ("NL-CYBER247", null, "urgent"), ("DE-CYBER247", 2, "urgent"),
            ("DE-CYBER247", null, "normal"), ("FR-CYBER247", null, "high"), ("NL-CYBER247", 5, "normal"), ("DE-CYBER247", 9, "high"),
        ];
        var items = new List<Registered>();
        foreach (var (partner, due, priority) in mix)
        {
            var body = due is { } hours
                ? ItemsApi.IncomingRequest(partner, $"Sorting {tag}", soon.AddHours(hours))
                : ItemsApi.OutgoingRequest(partner, $"Sorting {tag}");
            body["priority"] = priority;
            var item = await duty.RegisterAsync(body);
            items.Add(new Registered(
                item.Number(), item.GetProperty("id").GetGuid().ToString("N"), item.Str("partnerCode"), item.Str("priority"),
                item.GetProperty("dueBy").ValueKind == JsonValueKind.Null ? null : item.GetProperty("dueBy").GetDateTimeOffset()));
        }

        Assert.Equal(3, items.Count(i => i.DueBy == soon.AddHours(5)));
        return (tag, items);
    }

    private static IEnumerable<Registered> Expected(string sort, List<Registered> items) => sort switch
    {
        "newest" => items.OrderByDescending(i => i.Id, StringComparer.Ordinal),
        "oldest" => items.OrderBy(i => i.Id, StringComparer.Ordinal),
        "due" => items.OrderBy(i => i.DueBy is null).ThenBy(i => i.DueBy).ThenBy(i => i.Id, StringComparer.Ordinal),
        "priority" => items.OrderBy(i => Array.IndexOf(["urgent", "high", "normal"], i.Priority)).ThenByDescending(i => i.Id, StringComparer.Ordinal),
        "partner" => items.OrderBy(i => i.Partner, StringComparer.Ordinal).ThenByDescending(i => i.Id, StringComparer.Ordinal),
        _ => throw new ArgumentOutOfRangeException(nameof(sort)),
    };

    private sealed record Registered(string Number, string Id, string Partner, string Priority, DateTimeOffset? DueBy);
}
