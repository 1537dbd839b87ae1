using Microsoft.Extensions.DependencyInjection;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Keys;

namespace Ncp.Tests.Worker.Mail;

/// <summary>A key about to lapse stops the mail to its partner: the administrators are told 30 days before, once.</summary>
[Collection(NcpCollection.Name)]
public sealed class KeyExpiryTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_partner_key_expiring_within_30_days_warns_the_administrators_once()
    {
        var fingerprint = Convert.ToHexString(Guid.NewGuid().ToByteArray());
        await ncp.QueryAsync<int?>(
            $"insert into {ncp.WorkerSchema}.partner_keys (partner_code, fingerprint, scheme, material, not_after, imported_at) values ('EXPIRING', @f, 'smime', '\\x00', now() + interval '10 days', now())",
            ("f", fingerprint));
        var watch = ncp.Worker.Services.GetRequiredService<KeyExpiryWatch>();

        watch.Nudge();
        var subject = await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<string>($"select subject from {ncp.WorkerSchema}.notifications where body like @f", ("f", $"%{fingerprint}%")),
            s => s is not null);
        watch.Nudge();
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.key_warnings where owner = 'EXPIRING'"), n => n == 1);

        Assert.Contains("EXPIRING's certificate expires on", subject, StringComparison.Ordinal);
        Assert.Equal(1L, await ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.notifications where body like @f", ("f", $"%{fingerprint}%")));
        Assert.Equal(0L, await ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.key_warnings where owner = 'NCP'"));
    }
}
