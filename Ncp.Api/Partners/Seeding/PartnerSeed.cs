using System.Text.Json;
using Marten;
using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Partners.Seeding;

/// <summary>
/// A fresh installation starts with the directory of partners/seeding/partners.seed.json: real countries,
/// fictitious units and addresses (under .example). Each entry becomes a PartnerRegistered event by "system".
/// </summary>
public static class PartnerSeed
{
    public static readonly Actor System = new("system", "Installation seed");

    public static IReadOnlyList<PartnerProfile> Load()
    {
        using var stream = typeof(PartnerSeed).Assembly.GetManifestResourceStream("Ncp.Api.Partners.Seeding.partners.seed.json")
            ?? throw new InvalidOperationException("The partner seed is not embedded in Ncp.Api.");
        return JsonSerializer.Deserialize<PartnerProfile[]>(stream, ApiJson.Options)!;
    }

    public static async Task<int> SeedIfEmptyAsync(IDocumentStore store, TimeProvider time, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.Query<PartnerDirectoryEntry>().AnyAsync(ct))
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var profiles = Load();
        foreach (var profile in profiles)
        {
            var invalid = PartnerValidation.Validate(profile).ToList();
            if (invalid.Count > 0)
            {
                throw new InvalidOperationException($"Seed partner {profile.Code} is invalid: {string.Join("; ", invalid)}");
            }

            var id = Guid.CreateVersion7(now);
            session.Events.StartStream<PartnerDirectoryEntry>(id, new PartnerRegistered(id, profile, System, now));
        }

        await session.SaveChangesAsync(ct);
        return profiles.Count;
    }
}
