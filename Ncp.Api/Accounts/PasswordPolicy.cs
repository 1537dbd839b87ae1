using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Accounts;

/// <summary>
/// NIST SP 800-63B's advice, short: long enough, not the name, not one everybody tries first. No composition rules
/// (they make passwords harder to remember, not to guess); the second factor carries the rest.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;

    // The first of the lists attackers try (those of 12 characters or more; shorter ones fail on length).
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "123456789012", "1234567890123", "12345678901234", "qwertyuiop12", "qwertyuiopasdf", "password1234", "password12345",
        "passwordpassword", "111111111111", "000000000000", "iloveyou1234", "administrator", "administrator1", "welcome12345",
        "letmein12345", "changeme1234", "qwerty123456", "1q2w3e4r5t6y", "abc123456789", "p@ssw0rd1234", "Passw0rd1234",
        "P@ssword1234", "adminadmin12", "zaq12wsxcde3", "1qaz2wsx3edc", "qazwsxedcrfv", "asdfghjkl123", "police123456",
        "kazakhstan123", "almaty123456", "astana123456", "пароль123456", "йцукенгшщзхъ",
    };

    // No 0/O, 1/l/I: a password read off the screen and typed in once should not be misread.
    private const string Readable = "abcdefghijkmnpqrstuvwxyz23456789";

    /// <summary>
    /// An initial password for an administrator to hand over once: four groups of five readable characters (about 100
    /// bits), within the policy for any login.
    /// </summary>
    public static string Generate(string login)
    {
        while (true)
        {
            var password = string.Join('-', Enumerable.Range(0, 4).Select(_ => System.Security.Cryptography.RandomNumberGenerator.GetString(Readable, 5)));
            if (!Check(login, password).Any())
            {
                return password;
            }
        }
    }

    public static IEnumerable<FieldError> Check(string login, string? password)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinLength)
        {
            yield return new("password", AccountTexts.Get("PasswordTooShort", MinLength));
            yield break;
        }

        if (!string.IsNullOrEmpty(login) && password.Contains(login, StringComparison.OrdinalIgnoreCase))
        {
            yield return new("password", AccountTexts.Get("PasswordHasLogin"));
        }

        if (Common.Contains(password) || password.Distinct().Count() <= 2)
        {
            yield return new("password", AccountTexts.Get("PasswordCommon"));
        }
    }
}
