using MassTransit;
using Ncp.Contracts.Partners;
using Ncp.Conventions;

namespace Ncp.Worker.Partners;

/// <summary>Keeps the gateway's copy of a partner's entry; an older change never overwrites a newer one.</summary>
public sealed class PartnerDirectoryChangedConsumer(PartnerBook book) : IConsumer<PartnerDirectoryChanged>
{
    public Task Consume(ConsumeContext<PartnerDirectoryChanged> context)
    {
        var m = context.Message;
        return book.SaveAsync(
            new PartnerEntry(m.PartnerCode, m.Addresses, m.Languages, m.Encryption, m.PlaintextAllowed, m.Active, m.TrustAnchors ?? []),
            m.ChangedAt, context.CancellationToken);
    }
}

/// <summary>Adds a validated partner key to the gateway's key ring; the same key twice is one key.</summary>
public sealed class PartnerKeyImportedConsumer(PartnerBook book) : IConsumer<PartnerKeyImported>
{
    public Task Consume(ConsumeContext<PartnerKeyImported> context)
    {
        var m = context.Message;
        return book.SaveKeyAsync(m.PartnerCode, m.Fingerprint, m.Scheme, m.Material, m.NotAfter, m.ImportedAt, context.CancellationToken);
    }
}

/// <summary>Withdraws a partner key: no mail is encrypted to it again, and its signatures are treated as revoked.</summary>
public sealed class PartnerKeyRemovedConsumer(PartnerBook book) : IConsumer<PartnerKeyRemoved>
{
    public Task Consume(ConsumeContext<PartnerKeyRemoved> context) =>
        book.RemoveKeyAsync(context.Message.PartnerCode, context.Message.Fingerprint, context.Message.RemovedAt, context.CancellationToken);
}

public sealed class PartnerDirectoryChangedConsumerDefinition() : RetryingConsumerDefinition<PartnerDirectoryChangedConsumer>;

public sealed class PartnerKeyImportedConsumerDefinition() : RetryingConsumerDefinition<PartnerKeyImportedConsumer>;

public sealed class PartnerKeyRemovedConsumerDefinition() : RetryingConsumerDefinition<PartnerKeyRemovedConsumer>;
