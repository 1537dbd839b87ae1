using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Accounts;

/// <summary>
/// <c>Ncp.Api accounts add-admin LOGIN "NAME"</c>: the first administrator of a local issuer, who then creates the
/// others through <c>/api/accounts</c>. The password is read from standard input, never from the command line.
/// </summary>
public static class AccountBootstrap
{
    public static async Task<int> RunAsync(IServiceProvider services, string login, string name, TextReader input, TextWriter output, CancellationToken ct)
    {
        output.Write("Password (12 characters or more): ");
        var password = await input.ReadLineAsync(ct);
        var (enrolment, errors) = await services.GetRequiredService<LocalAccounts>().CreateAsync(
            new NewAccount(login, name, password, [Roles.Administrator], []), new Cases.Actor("bootstrap", "accounts add-admin"), ct);
        if (enrolment is null)
        {
            foreach (var error in errors)
            {
                output.WriteLine($"{error.Field}: {error.Message}");
            }

            return 1;
        }

        output.WriteLine();
        output.WriteLine($"Created {enrolment.Account.Login}. Add this to the authenticator app now; it is not shown again:");
        output.WriteLine($"  secret {enrolment.TotpSecret}");
        output.WriteLine($"  {enrolment.OtpauthUri}");
        return 0;
    }
}
