using MimeKit.Cryptography;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// Hashes a partner's S/MIME signature may not be made over. Collisions in MD5 and SHA-1 can be bought: a signature over
/// one shows only that the signer once signed something with the same hash, not this mail. OpenPGP signatures are judged
/// with the OpenPGP keys.
/// </summary>
public static class SignatureDigests
{
    /// <summary>Why the signature proves too little, in words for the officer; null when its hash is strong enough.</summary>
    public static string? Weakness(SignerCheck signer) => signer.Scheme == "smime" && Name(signer.Digest) is { } weak
        ? $"Signed by {signer.Email ?? signer.Fingerprint} over {weak}, a hash whose collisions can be forged, so the signature does not " +
            "prove this content; ask the partner to sign with SHA-256 or stronger."
        : null;

    private static string? Name(DigestAlgorithm digest) => digest switch
    {
        DigestAlgorithm.MD2 => "MD2",
        DigestAlgorithm.MD4 => "MD4",
        DigestAlgorithm.MD5 => "MD5",
        DigestAlgorithm.Sha1 => "SHA-1",
        _ => null,
    };
}
