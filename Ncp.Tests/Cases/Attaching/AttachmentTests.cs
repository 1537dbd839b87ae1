using System.Net;
using System.Security.Cryptography;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Attaching;

[Collection(NcpCollection.Name)]
public sealed class AttachmentTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_same_file_on_two_items_is_stored_once_and_downloads_unchanged()
    {
        var duty = ncp.ClientFor("duty");
        var content = RandomNumberGenerator.GetBytes(4000);
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var first = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        var second = await duty.RegisterAsync(ItemsApi.OutgoingRequest());

        foreach (var item in new[] { first, second })
        {
            var updated = await UploadAsync(duty, item.Number(), content, "logs.csv", HttpStatusCode.OK);
            Assert.Equal(sha, Assert.Single(updated.GetProperty("attachments").EnumerateArray()).Str("sha256"));
        }

        Assert.Equal(1L, await ncp.QueryAsync<long>($"select count(*) from {ncp.ApiSchema}.attachment_contents where sha256 = @s", ("s", sha)));
        using var download = await duty.GetAsync($"/api/items/{second.Number()}/attachments/{sha}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_naming_the_field()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());

        var problem = await UploadAsync(duty, item.Number(), new byte[65537], "big.bin", HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("file", out _));
    }

    private static Task<System.Text.Json.JsonElement> UploadAsync(
        HttpClient client, string number, byte[] content, string name, HttpStatusCode expected) =>
        client.AttachAsync(number, content, name, "text/csv", expected);
}
