using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>
/// A signed-in officer asking for a page the role does not open gets the not-allowed page where the page would be, with
/// HTTP 403: a redirect to <c>/not-allowed</c> answered 200 and lost the address the officer typed. Anything else
/// (API calls, scripts, other methods) is forbidden as before.
/// </summary>
public sealed class NotAllowedInPlace(EndpointDataSource endpoints) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler usual = new();
    private Endpoint? notAllowed;

    public Task HandleAsync(RequestDelegate next, HttpContext http, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (!result.Forbidden || !AsksForPage(http) || NotAllowedPage() is not { } page)
        {
            return usual.HandleAsync(next, http, policy, result);
        }

        // The page's own endpoint renders the not-allowed page (it is open to anyone); the address stays the one asked for,
        // whose router (once interactive) shows the same content through AuthorizeRouteView.
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        http.SetEndpoint(page);
        http.Request.RouteValues.Clear();
        return next(http);
    }

    private static bool AsksForPage(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true && HttpMethods.IsGet(http.Request.Method) && !BrowserSignIn.IsApiPath(http.Request.Path)
        && http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private Endpoint? NotAllowedPage() => notAllowed ??= endpoints.Endpoints.OfType<RouteEndpoint>()
        .FirstOrDefault(e => e.RoutePattern.RawText?.Trim('/') == BrowserSignIn.NotAllowedPath.Trim('/'));
}
