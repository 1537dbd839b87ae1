using System.Globalization;
using System.Resources;
using Ncp.Api.Ui.Infrastructure;

namespace Ncp.Api.Accounts;

/// <summary>
/// The accounts' messages to people (password policy, refusals) in en, ru and kk (AccountTexts*.resx), in the
/// language of the request; the ProblemDetails field names around them stay the API's, whatever the language.
/// </summary>
public static class AccountTexts
{
    private static readonly ResourceManager Resources = new(typeof(AccountTexts));

    public static string Get(string name, params object[] args)
    {
        var text = Resources.GetString(name, CultureInfo.CurrentUICulture) ?? name;
        return args.Length == 0 ? text : string.Format(CultureInfo.CurrentCulture, text, args);
    }

    /// <summary>
    /// The accounts API answers in the Accept-Language asked for (the UI sends the officer's language); API requests
    /// do not pass the UI's request localization, and an unsupported language gets English.
    /// </summary>
    public static async ValueTask<object?> InRequestLanguage(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var asked = context.HttpContext.Request.GetTypedHeaders().AcceptLanguage.OrderByDescending(l => l.Quality ?? 1)
            .Select(l => l.Value.Value?.Split('-')[0]).FirstOrDefault(UiCultures.IsSupported);
        if (asked is null)
        {
            return await next(context);
        }

        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(asked.ToLowerInvariant());
        try
        {
            return await next(context);
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
        }
    }
}
