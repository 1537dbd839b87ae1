using System.Collections.Concurrent;
using Ncp.Worker.Infrastructure.Database;
using Ncp.Worker.Keys;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.X509;

namespace Ncp.Worker.Partners;

/// <summary>
/// What the gateway knows of one partner: a copy of the Api's directory entry. <see cref="TrustAnchors"/> (DER) are the only
/// roots a signer's certificate may chain to for mail in this partner's name.
/// </summary>
public sealed record PartnerEntry(
    string Code, string[] Addresses, string[] Languages, string Encryption, bool PlaintextAllowed, bool Active, byte[][]? TrustAnchors = null);

/// <summary>A partner's certificate (DER) or OpenPGP public key (armored), as imported through the Api.</summary>
public sealed record PartnerKey(string PartnerCode, string Fingerprint, string Scheme, byte[] Material, DateTimeOffset? NotAfter, DateTimeOffset? RemovedAt)
{
    public bool Removed => RemovedAt is not null;
}

/// <summary>
/// The Worker's copy of the partner directory and of the partners' keys, kept from the Api's messages in the Worker's own
/// schema. Reads come from an in-memory snapshot (every mail in and out asks; the directory is a few hundred rows that
/// change a few times a month): reloaded after this process writes, and at the latest <see cref="FreshFor"/> after it
/// was read, for what another Worker instance wrote.
/// </summary>
public sealed class PartnerBook(WorkerDatabase database, TimeProvider time)
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, X509Certificate> certificates = new();
    private readonly ConcurrentDictionary<string, PgpPublicKeyRing> rings = new();
    private readonly SemaphoreSlim loading = new(1, 1);
    private volatile Snapshot? current;
    private long generation;

    private sealed record Snapshot(
        long Generation, long LoadedAt, Dictionary<string, PartnerEntry> ByCode, ILookup<string, PartnerEntry> ByAddress,
        ILookup<string, PartnerKey> KeysByPartner, ILookup<string, PartnerKey> KeysByFingerprint, Dictionary<long, PgpPublicKeyRing> RingsByKeyId);

    public async Task<PartnerEntry?> FindAsync(string code, CancellationToken ct) => (await SnapshotAsync(ct)).ByCode.GetValueOrDefault(code);

    /// <summary>Partners using this address (normally one; an address shared by two units is ambiguous).</summary>
    public async Task<IReadOnlyList<PartnerEntry>> FindByAddressAsync(string address, CancellationToken ct) =>
        [.. (await SnapshotAsync(ct)).ByAddress[address.ToLowerInvariant()]];

    /// <summary>Every key ever imported for the partner, removed ones included (a removed key is how revocation shows).</summary>
    public async Task<IReadOnlyList<PartnerKey>> KeysAsync(string partnerCode, CancellationToken ct) => [.. (await SnapshotAsync(ct)).KeysByPartner[partnerCode]];

    /// <summary>The keys with this fingerprint, whoever they belong to (to tell who signed a mail).</summary>
    public async Task<IReadOnlyList<PartnerKey>> KeysByFingerprintAsync(string fingerprint, CancellationToken ct) =>
        [.. (await SnapshotAsync(ct)).KeysByFingerprint[fingerprint.ToUpperInvariant()]];

    public X509Certificate Certificate(PartnerKey key) =>
        certificates.GetOrAdd(key.Fingerprint, _ => new X509CertificateParser().ReadCertificate(key.Material));

    /// <summary>
    /// The partner's key with only the packets its primary key verifiably made: the Api stores no others since it checks
    /// keys so, and keys imported before are cut down here, so that no appended subkey or forged revocation is ever used.
    /// </summary>
    public PgpPublicKeyRing Ring(PartnerKey key) =>
        rings.GetOrAdd(key.Fingerprint, _ =>
        {
            using var stream = PgpUtilities.GetDecoderStream(new MemoryStream(key.Material));
            return OpenPgpKeys.Verified(new PgpPublicKeyRingBundle(stream).GetKeyRings().Single()).Ring;
        });

    /// <summary>Finds the partner key ring holding a key id (the signer of an OpenPGP signature), removed keys included.</summary>
    public async Task<Func<long, PgpPublicKeyRing?>> OpenPgpLookupAsync(CancellationToken ct)
    {
        var byKeyId = (await SnapshotAsync(ct)).RingsByKeyId;
        return id => byKeyId.GetValueOrDefault(id);
    }

    private async ValueTask<Snapshot> SnapshotAsync(CancellationToken ct)
    {
        if (current is { } fresh && fresh.Generation == Interlocked.Read(ref generation) && time.GetElapsedTime(fresh.LoadedAt) < FreshFor)
        {
            return fresh;
        }

        await loading.WaitAsync(ct);
        try
        {
            if (current is { } loaded && loaded.Generation == Interlocked.Read(ref generation) && time.GetElapsedTime(loaded.LoadedAt) < FreshFor)
            {
                return loaded;
            }

            // A write during the load bumps the generation: this snapshot then serves this call only and the next reloads.
            var started = Interlocked.Read(ref generation);
            var snapshot = await LoadAsync(started, ct);
            current = snapshot;
            return snapshot;
        }
        finally
        {
            loading.Release();
        }
    }

    private async Task<Snapshot> LoadAsync(long loadGeneration, CancellationToken ct)
    {
        var loadedAt = time.GetTimestamp();
        IReadOnlyList<PartnerEntry> entries;
        await using (var command = database.DataSource.CreateCommand(
            $"select code, addresses, languages, encryption, plaintext_allowed, active, trust_anchors from {database.Schema}.partners"))
        {
            entries = await ReadEntriesAsync(command, ct);
        }

        IReadOnlyList<PartnerKey> keys;
        await using (var command = database.DataSource.CreateCommand(
            $"select partner_code, fingerprint, scheme, material, not_after, removed_at from {database.Schema}.partner_keys"))
        {
            keys = await ReadKeysAsync(command, ct);
        }

        var ringsByKeyId = new Dictionary<long, PgpPublicKeyRing>();
        foreach (var key in keys.Where(k => k.Scheme == "openpgp"))
        {
            var ring = Ring(key);
            foreach (var k in ring.GetPublicKeys())
            {
                ringsByKeyId[k.KeyId] = ring;
            }
        }

        return new Snapshot(
            loadGeneration, loadedAt, entries.ToDictionary(e => e.Code),
            entries.SelectMany(e => e.Addresses.Select(a => (Address: a.ToLowerInvariant(), Entry: e))).ToLookup(x => x.Address, x => x.Entry),
            keys.ToLookup(k => k.PartnerCode), keys.ToLookup(k => k.Fingerprint), ringsByKeyId);
    }

    private void Changed() => Interlocked.Increment(ref generation);

    public async Task SaveAsync(PartnerEntry entry, DateTimeOffset changedAt, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            insert into {database.Schema}.partners (code, addresses, languages, encryption, plaintext_allowed, active, changed_at, trust_anchors)
            values ($1, $2, $3, $4, $5, $6, $7, $8)
            on conflict (code) do update set addresses = excluded.addresses, languages = excluded.languages, encryption = excluded.encryption,
                plaintext_allowed = excluded.plaintext_allowed, active = excluded.active, changed_at = excluded.changed_at,
                trust_anchors = excluded.trust_anchors
            where {database.Schema}.partners.changed_at <= excluded.changed_at
            """);
        command.Parameters.AddWithValue(entry.Code);
        command.Parameters.AddWithValue(entry.Addresses.Select(a => a.ToLowerInvariant()).ToArray());
        command.Parameters.AddWithValue(entry.Languages);
        command.Parameters.AddWithValue(entry.Encryption);
        command.Parameters.AddWithValue(entry.PlaintextAllowed);
        command.Parameters.AddWithValue(entry.Active);
        command.Parameters.AddWithValue(changedAt);
        command.Parameters.AddWithValue(entry.TrustAnchors ?? []);
        await command.ExecuteNonQueryAsync(ct);
        Changed();
    }

    public async Task SaveKeyAsync(string partnerCode, string fingerprint, string scheme, byte[] material, DateTimeOffset? notAfter, DateTimeOffset importedAt, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            insert into {database.Schema}.partner_keys (partner_code, fingerprint, scheme, material, not_after, imported_at)
            values ($1, $2, $3, $4, $5, $6)
            on conflict (partner_code, fingerprint) do update set removed_at = null, imported_at = excluded.imported_at
            where {database.Schema}.partner_keys.removed_at < excluded.imported_at
            """);
        command.Parameters.AddWithValue(partnerCode);
        command.Parameters.AddWithValue(fingerprint.ToUpperInvariant());
        command.Parameters.AddWithValue(scheme);
        command.Parameters.AddWithValue(material);
        command.Parameters.AddWithValue((object?)notAfter ?? DBNull.Value);
        command.Parameters.AddWithValue(importedAt);
        await command.ExecuteNonQueryAsync(ct);
        Changed();
    }

    public async Task RemoveKeyAsync(string partnerCode, string fingerprint, DateTimeOffset removedAt, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            update {database.Schema}.partner_keys set removed_at = $3
            where partner_code = $1 and fingerprint = $2 and removed_at is null
            """);
        command.Parameters.AddWithValue(partnerCode);
        command.Parameters.AddWithValue(fingerprint.ToUpperInvariant());
        command.Parameters.AddWithValue(removedAt);
        await command.ExecuteNonQueryAsync(ct);
        Changed();
    }

    private static async Task<IReadOnlyList<PartnerEntry>> ReadEntriesAsync(Npgsql.NpgsqlCommand command, CancellationToken ct)
    {
        var entries = new List<PartnerEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new PartnerEntry(
                reader.GetString(0), reader.GetFieldValue<string[]>(1), reader.GetFieldValue<string[]>(2), reader.GetString(3), reader.GetBoolean(4),
                reader.GetBoolean(5), reader.GetFieldValue<byte[][]>(6)));
        }

        return entries;
    }

    private static async Task<IReadOnlyList<PartnerKey>> ReadKeysAsync(Npgsql.NpgsqlCommand command, CancellationToken ct)
    {
        var keys = new List<PartnerKey>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            keys.Add(new PartnerKey(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return keys;
    }
}
