// Compiled into Ncp.Api and Ncp.Worker (see BusConventions.cs): the Api refuses at import exactly the partner keys the
// Worker could not encrypt mail to, so the two must judge a key by the same table.
namespace Ncp.Conventions;

/// <summary>
/// The kinds of partner S/MIME key the gateway can encrypt mail to: RSA (key transport) and EC on P-256, P-384 and P-521
/// (ECDH key agreement).
/// </summary>
public static class SmimeKeyConventions
{
    public const string Rsa = "1.2.840.113549.1.1.1";
    public const string Ec = "1.2.840.10045.2.1";
    public const int MinimumRsaBits = 2048;

    private const string AskFor = "ask the partner for an RSA (2048 bits or more) or EC (P-256, P-384 or P-521) certificate";

    /// <summary>The named curves we agree keys on, each with the hash of the X9.63 KDF that matches its strength (RFC 5753).</summary>
    public static readonly IReadOnlyDictionary<string, (string Name, string KdfHash)> Curves = new Dictionary<string, (string, string)>
    {
        ["1.2.840.10045.3.1.7"] = ("P-256", "SHA256"),
        ["1.3.132.0.34"] = ("P-384", "SHA384"),
        ["1.3.132.0.35"] = ("P-521", "SHA512"),
    };

    // Curves smaller than P-256: named as too weak, not merely as unsupported, so that the partner knows what to change.
    private static readonly Dictionary<string, string> WeakCurves = new()
    {
        ["1.2.840.10045.3.1.1"] = "P-192",
        ["1.3.132.0.33"] = "P-224",
        ["1.3.36.3.3.2.8.1.1.1"] = "brainpoolP160r1",
        ["1.3.36.3.3.2.8.1.1.3"] = "brainpoolP192r1",
        ["1.3.36.3.3.2.8.1.1.5"] = "brainpoolP224r1",
    };

    // Keys met in the wild that no mail can be encrypted to (they sign only), or that we do not agree keys with.
    private static readonly Dictionary<string, string> Others = new()
    {
        ["1.2.840.10040.4.1"] = "DSA, which can only sign",
        ["1.3.101.112"] = "Ed25519, which can only sign",
        ["1.3.101.113"] = "Ed448, which can only sign",
        ["1.2.840.113549.1.1.10"] = "RSASSA-PSS, which is restricted to signing",
        ["1.3.101.110"] = "X25519, which this gateway does not encrypt to",
        ["1.3.101.111"] = "X448, which this gateway does not encrypt to",
    };

    /// <summary>
    /// Why mail cannot be encrypted to a key of this kind, in words for the administrator (null when it can).
    /// <paramref name="curve"/> is an EC key's named curve (null when it names none); <paramref name="rsaBits"/> an RSA key's
    /// size, when it is to be judged (the Worker does not: a key imported before the minimum was raised still gets mail).
    /// </summary>
    public static string? Unusable(string algorithm, string? curve, int? rsaBits) => algorithm switch
    {
        Rsa when rsaBits < MinimumRsaBits => $"its RSA key has only {rsaBits} bits, fewer than the {MinimumRsaBits} required; {AskFor}",
        Rsa => null,
        Ec when curve is null => $"its EC key does not name its curve, so mail cannot be encrypted to it; {AskFor}",
        Ec when WeakCurves.TryGetValue(curve, out var weak) =>
            $"its EC key is on {weak} ({curve}), below the P-256 required; {AskFor}",
        Ec when !Curves.ContainsKey(curve) => $"its EC key is on the curve {curve}, which this gateway does not encrypt to; {AskFor}",
        Ec => null,
        _ when Others.TryGetValue(algorithm, out var kind) => $"its key is {kind}, so mail cannot be encrypted to it; {AskFor}",
        _ => $"its key is of a kind ({algorithm}) mail cannot be encrypted to; {AskFor}",
    };
}
