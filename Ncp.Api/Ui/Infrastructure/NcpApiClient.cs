using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Ncp.Api.Cases.Listing;
using Ncp.Api.Cases.Reading;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Officers;
using Ncp.Api.Partners.Directory;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>
/// The pages' way to the Api: its own HTTP endpoints, called as the signed-in officer with a short-lived officer
/// token, so every rule (validation, policies, compartments, audit, If-Match) is the Api's and is applied once.
/// Inject it into a page; typed methods for what pages share, <see cref="GetAsync{T}"/> and <see cref="SendAsync{T}"/>
/// for the rest. Errors never throw: they come back as an <see cref="ApiProblem"/>.
/// </summary>
public sealed class NcpApiClient(HttpClient http, AuthenticationStateProvider authentication, OfficerTokens tokens, TimeProvider time)
{
    /// <summary>The IHttpClientFactory name; a test routes it to its in-memory server.</summary>
    public const string HttpClientName = "ncp-api";

    private string? token;
    private string? tokenUser;
    private DateTimeOffset tokenRenewAt;

    public Task<ApiResult<ItemPage>> ListItemsAsync(ItemFilter filter, CancellationToken ct = default) =>
        GetAsync<ItemPage>("api/items" + QueryOf(filter), ct);

    public Task<ApiResult<ItemResource>> GetItemAsync(string number, CancellationToken ct = default) =>
        GetAsync<ItemResource>($"api/items/{Uri.EscapeDataString(number)}", ct);

    public Task<ApiResult<ItemResource>> RegisterItemAsync(ItemBody body, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<ItemResource>(HttpMethod.Post, "api/items", body, headers: idempotencyKey is null ? null : new() { ["Idempotency-Key"] = idempotencyKey }, ct: ct);

    public Task<ApiResult<PartnerResource[]>> ListPartnersAsync(CancellationToken ct = default) => GetAsync<PartnerResource[]>("api/partners", ct);

    public Task<ApiResult<OfficerResource[]>> ListOfficersAsync(CancellationToken ct = default) => GetAsync<OfficerResource[]>("api/officers", ct);

    public Task<ApiResult<T>> GetAsync<T>(string path, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Get, path, ct: ct);

    /// <summary>
    /// Any call: <paramref name="ifMatch"/> is the version the page loaded (the Api answers 409 stale-version when a
    /// colleague changed the item since); the result carries the new version from the ETag.
    /// </summary>
    public async Task<ApiResult<T>> SendAsync<T>(
        HttpMethod method, string path, object? body = null, long? ifMatch = null, Dictionary<string, string>? headers = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            // A file goes as the form it is (multipart); anything else as the Api's JSON.
            request.Content = body as HttpContent ?? JsonContent.Create(body, body.GetType(), options: ApiJson.Options);
        }

        if (ifMatch is { } version)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ETags.Of(version));
        }

        // The Api's messages to people (the accounts' password policy, say) in the language the officer reads the page in.
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue(UiCultures.Current));
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var bearer = await TokenAsync();
        if (bearer is null)
        {
            return ApiResult<T>.Failed(new ApiProblem(401, "Not signed in"));
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                return ApiResult<T>.Failed(ApiProblem.Read(response.StatusCode, await response.Content.ReadAsStringAsync(ct)));
            }

            var value = response.Content.Headers.ContentLength == 0 ? default : await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct);
            return new ApiResult<T>(value, null, VersionOf(response));
        }
        catch (HttpRequestException e)
        {
            return ApiResult<T>.Failed(new ApiProblem(0, "The Api cannot be reached", e.Message));
        }
    }

    /// <summary>The list endpoint's query string, in the Api's own spelling of <see cref="ItemFilter"/>.</summary>
    public static string QueryOf(ItemFilter filter)
    {
        var pairs = new List<KeyValuePair<string, string?>>
        {
            new("kind", filter.Kind),
            new("direction", filter.Direction),
            new("status", filter.Status),
            new("partner", filter.Partner),
            new("country", filter.Country),
            new("channel", filter.Channel),
            new("priority", filter.Priority),
            new("officer", filter.Officer),
            new("overdue", filter.Overdue is { } overdue ? (overdue ? "true" : "false") : null),
            new("open", filter.Open is { } open ? (open ? "true" : "false") : null),
            new("from", filter.From?.ToString("O", CultureInfo.InvariantCulture)),
            new("to", filter.To?.ToString("O", CultureInfo.InvariantCulture)),
            new("q", filter.Q),
            new("after", filter.After),
            new("limit", filter.Limit?.ToString(CultureInfo.InvariantCulture)),
            new("dueWithin", filter.DueWithin?.ToString(CultureInfo.InvariantCulture)),
            new("mailWithin", filter.MailWithin?.ToString(CultureInfo.InvariantCulture)),
            new("awaitingAcknowledgement", filter.AwaitingAcknowledgement is { } awaiting ? (awaiting ? "true" : "false") : null),
            new("sort", filter.Sort),
            new("identifier", filter.Identifier),
            new("notDelivered", filter.NotDelivered is { } notDelivered ? (notDelivered ? "true" : "false") : null),
            new("total", filter.Total == true ? "true" : null),
        };
        return QueryString.Create(pairs.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
    }

    private async Task<string?> TokenAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        // A circuit lives for hours; its token is renewed well before it expires, never reused across users.
        var now = time.GetUtcNow();
        if (token is null || now >= tokenRenewAt || tokenUser != user.OfficerId())
        {
            token = tokens.IssueFor(user);
            tokenRenewAt = now + (OfficerTokens.Lifetime / 2);
            tokenUser = user.OfficerId();
        }

        return token;
    }

    private static long? VersionOf(HttpResponseMessage response) =>
        response.Headers.ETag is { } etag && long.TryParse(etag.Tag.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
}
