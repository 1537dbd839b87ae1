namespace Ncp.Api.Cases.Corresponding;

/// <summary>
/// A warning the gateway put on a partner's mail, as a code and its particulars (see <c>Ncp.Contracts.Mail.MailWarning</c>),
/// kept on the item so that the screen says it in the officer's language; mail filed before the codes has only its words.
/// </summary>
public sealed record GatewayWarning(string Code, Dictionary<string, string> Facts);
