using MimeKit.Cryptography;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// Hashes a partner's signature, S/MIME or OpenPGP, may not be made over. Collisions in MD5 and SHA-1 can be bought: a
/// signature over one shows only that the signer once signed something with the same hash, not this mail.
/// </summary>
public static class SignatureDigests
{
    /// <summary>Why the signature proves too little, in words for the officer; null when its hash is strong enough.</summary>
    public static string? Weakness(SignerCheck signer) => Name(signer.Digest) is { } weak
        ? $"Signed by {signer.Email ?? signer.Fingerprint} over {weak}, a hash whose collisions can be forged, so the signature does not " +
            $"prove this content; ask the partner to sign with SHA-256 or stronger{(signer.Scheme == "smime" ? "" : " (gpg: --digest-algo SHA256)")}."
        : null;

    private static string? Name(DigestAlgorithm digest) => digest switch
    {
        DigestAlgorithm.MD2 => "MD2",
        DigestAlgorithm.MD4 => "MD4",
        DigestAlgorithm.MD5 => "MD5",
        DigestAlgorithm.Sha1 => "SHA-1",
        DigestAlgorithm.RipeMD160 => "RIPEMD-160",
        DigestAlgorithm.Tiger192 => "Tiger",
        DigestAlgorithm.Haval5160 => "HAVAL",
        _ => null,
    };
}
