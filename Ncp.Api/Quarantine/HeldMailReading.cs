using Marten;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Corresponding;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Contracts.Mail;
using Npgsql;

namespace Ncp.Api.Quarantine;

/// <summary>An attachment of a held mail; <see cref="Downloadable"/> false when the gateway kept its bytes back (over the limit).</summary>
public sealed record HeldAttachmentRef(string Sha256, string FileName, string ContentType, long Size, bool Downloadable);

/// <summary>
/// What an officer reads of a held mail before deciding, as the gateway could open it; one document per held mail (id:
/// the mail's), apart from <see cref="QuarantinedMail"/> so that the list never loads bodies. Attachment bytes are kept
/// once by their SHA-256 with every other file.
/// </summary>
public sealed record HeldMailReading
{
    public Guid Id { get; init; }
    public string Protection { get; init; } = "";
    public string? Text { get; init; }

    /// <summary>The HTML as sent; sanitised each time it is shown, like a partner's mail on an item.</summary>
    public string? Html { get; init; }
    public bool Cut { get; init; }
    public HeldAttachmentRef[] Attachments { get; init; } = [];
    public HeldSigner[] Signers { get; init; } = [];
    public string? Unreadable { get; init; }

    /// <summary>The signature as the gateway judged it, for a mail the Api held at filing (no signer details then).</summary>
    public string? Signature { get; init; }

    private const int MaxText = 200_000;
    private const int MaxAttachments = 500;
    private const int MaxSigners = 20;

    /// <summary>What the gateway could read of a held mail, the bytes of its attachments kept in the attachment store.</summary>
    public static async Task<HeldMailReading> OfAsync(
        Guid id, HeldMailContent content, NpgsqlDataSource db, MartenSettings marten, TimeProvider time, CancellationToken ct)
    {
        var attachments = new List<HeldAttachmentRef>();
        foreach (var a in content.Attachments.Take(MaxAttachments))
        {
            var sha256 = a.Content is { } bytes ? await Cases.Attaching.Attachments.StoreContentAsync(db, marten, bytes, time, ct) : a.Sha256;
            attachments.Add(new HeldAttachmentRef(sha256, a.FileName, a.ContentType, a.Size, a.Content is not null));
        }

        return new HeldMailReading
        {
            Id = id, Protection = content.Protection, Text = Within(content.TextBody), Html = Within(content.HtmlBody),
            Cut = content.Cut || content.TextBody?.Length > MaxText || content.HtmlBody?.Length > MaxText, Attachments = [.. attachments],
            Signers = [.. content.Signers.Take(MaxSigners)], Unreadable = content.Unreadable,
        };
    }

    /// <summary>A mail the gateway handed over in full and the Api held at filing.</summary>
    public static async Task<HeldMailReading> OfAsync(PartnerMailReceived m, NpgsqlDataSource db, MartenSettings marten, TimeProvider time, CancellationToken ct)
    {
        var content = new HeldMailContent(
            m.Protection, m.TextBody, m.HtmlBody, false,
            [.. m.Attachments.Select(a => new HeldAttachment(a.FileName, a.ContentType, a.Content.LongLength, "", a.Content))], []);
        return await OfAsync(m.InboundId, content, db, marten, time, ct) with { Signature = m.Signature };
    }

    private static string? Within(string? text) => text is null || text.Length <= MaxText ? text : text[..MaxText];
}

/// <summary>A held mail as the officer reads it: the text, the HTML only as <see cref="MailSanitiser"/> left it, and the rest in plain data.</summary>
public sealed record HeldMailView(
    Guid Id, Channel Channel, string Protection, string? Text, string? SafeHtml, bool Cut, HeldAttachmentRef[] Attachments, HeldSigner[] Signers,
    string? Unreadable, string? Signature, ClosestPartner? ClosestPartner);
