using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ncp.Tests.Fixtures;

/// <summary>What a browser got back: status, redirect target (path and query), body, and the cookies it was told to set.</summary>
public sealed record UiResponse(int Status, string? Location, string Body, string[] SetCookies)
{
    /// <summary>The body with character references decoded (Blazor writes non-ASCII text as &amp;#x...;).</summary>
    public string Text => WebUtility.HtmlDecode(Body);
}

/// <summary>
/// A browser's session with the web UI on the in-memory server, without a browser: it keeps cookies, sends
/// <c>Accept: text/html</c> like a navigation, and calls from loopback (as on the officer's own machine) or not.
/// </summary>
public sealed partial class UiSession(WebApplicationFactory<Ncp.Api.Program> api, bool loopback = true)
{
    private readonly Dictionary<string, string> cookies = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Cookies => cookies;

    public Task<UiResponse> GetAsync(string url) => SendAsync("GET", url, null);

    public Task<UiResponse> PostFormAsync(string url, IDictionary<string, string> form) =>
        SendAsync("POST", url, string.Join('&', form.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}")));

    /// <summary>Signs in as a demo user the way the sign-in page's form does (antiforgery token included).</summary>
    public async Task<UiResponse> SignInAsync(string login, string returnUrl = "/")
    {
        var url = $"/sign-in?returnUrl={Uri.EscapeDataString(returnUrl)}";
        var page = await GetAsync(url);
        return await PostFormAsync(url, new Dictionary<string, string>
        {
            ["_handler"] = "demo",
            ["__RequestVerificationToken"] = AntiforgeryToken(page.Body) ?? "",
            ["Login"] = login,
        });
    }

    public void Forget(string cookie) => cookies.Remove(cookie);

    /// <summary>Takes over another session's cookies, as if its pages had been served to this browser.</summary>
    public void Adopt(UiSession other)
    {
        foreach (var (name, value) in other.cookies)
        {
            cookies[name] = value;
        }
    }

    public static string? AntiforgeryToken(string html) => TokenPattern().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    private async Task<UiResponse> SendAsync(string method, string url, string? form)
    {
        var target = new Uri(new Uri("http://localhost"), url);
        var context = await api.Server.SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = target.AbsolutePath;
            c.Request.QueryString = new QueryString(target.Query);
            c.Request.Headers.Accept = "text/html";
            if (cookies.Count > 0)
            {
                c.Request.Headers.Cookie = string.Join("; ", cookies.Select(k => $"{k.Key}={k.Value}"));
            }

            if (loopback)
            {
                c.Connection.RemoteIpAddress = IPAddress.Loopback;
            }

            if (form is not null)
            {
                c.Request.ContentType = "application/x-www-form-urlencoded";
                c.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(form));
            }
        });

        var setCookies = context.Response.Headers.SetCookie.Select(v => v ?? "").ToArray();
        foreach (var header in setCookies)
        {
            var pair = header.Split(';')[0];
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = (pair[..eq], pair[(eq + 1)..]);
            if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
            {
                cookies.Remove(name);
            }
            else
            {
                cookies[name] = value;
            }
        }

        using var reader = new StreamReader(context.Response.Body);
        var location = context.Response.Headers.Location.ToString() is { Length: > 0 } l ? new Uri(target, l).PathAndQuery : null;
        return new UiResponse(context.Response.StatusCode, location, await reader.ReadToEndAsync(), setCookies);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
