using AngleSharp.Dom;
using Ganss.Xss;

namespace Ncp.Api.Cases.Corresponding;

/// <summary>
/// A partner's HTML made safe to show: no script, event handler, frame, form or embedded object survives, and nothing
/// remote is fetched (no image, stylesheet, CSS url() or other address is kept). Links become their text followed by
/// the address, so an officer sees where a link points without the page going there.
/// </summary>
public static class MailSanitiser
{
    private static readonly string[] Interactive = ["form", "input", "button", "select", "textarea", "option", "optgroup", "datalist", "output", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "meta", "style", "audio", "video", "source", "track", "svg", "math"];

    /// <summary>The sanitised fragment; null for null.</summary>
    public static string? Sanitise(string? html)
    {
        if (html is null)
        {
            return null;
        }

        // A new sanitiser per call: its events carry state and the library does not promise thread safety.
        var sanitizer = new HtmlSanitizer();
        foreach (var tag in Interactive)
        {
            sanitizer.AllowedTags.Remove(tag);
        }

        foreach (var attribute in new[] { "src", "srcset", "background", "poster", "action", "formaction", "longdesc", "usemap", "cite", "target" })
        {
            sanitizer.AllowedAttributes.Remove(attribute);
        }

        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.UnionWith(["http", "https", "mailto"]);
        sanitizer.AllowedAtRules.Clear();

        // Every address is dropped except a link's own target, which PostProcessNode turns into text.
        sanitizer.FilterUrl += (_, e) =>
        {
            if (!(e.Tag is { LocalName: "a" } link && link.GetAttribute("href") == e.OriginalUrl))
            {
                e.SanitizedUrl = null;
            }
        };
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement { LocalName: "a" } link)
            {
                link.RemoveAttribute("style");
                if (link.GetAttribute("href") is { Length: > 0 } href)
                {
                    link.RemoveAttribute("href");
                    if (!string.Equals(link.TextContent.Trim(), href, StringComparison.OrdinalIgnoreCase))
                    {
                        link.AppendChild(e.Document.CreateTextNode($" <{href}>"));
                    }
                }
            }
        };
        return sanitizer.Sanitize(html);
    }
}
