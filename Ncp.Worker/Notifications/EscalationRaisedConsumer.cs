using System.Text;
using MassTransit;
using Ncp.Contracts.Deadlines;
using Ncp.Worker.Infrastructure.Database;
using Ncp.Conventions;

namespace Ncp.Worker.Notifications;

/// <summary>
/// Puts the notifications of an escalation in the outbox, one per recipient, each to be sent when that person can be
/// reached. Idempotent: (escalation, recipient) is unique.
/// </summary>
public sealed class EscalationRaisedConsumer(
    WorkerDatabase database, NotificationSettings settings, NotificationSender sender, TimeProvider time, ILogger<EscalationRaisedConsumer> logger)
    : IConsumer<EscalationRaised>
{
    public async Task Consume(ConsumeContext<EscalationRaised> context)
    {
        var m = context.Message;
        var now = time.GetUtcNow();
        var recipients = Recipients.Of(m, settings, now);
        await using var batch = database.DataSource.CreateBatch();
        foreach (var r in recipients)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = $"""
                insert into {database.Schema}.notifications (id, event_id, recipient, subject, body, send_after, created_at)
                values ($1, $2, $3, $4, $5, $6, $7) on conflict (event_id, recipient) do nothing
                """;
            command.Parameters.AddWithValue(Guid.CreateVersion7(now));
            command.Parameters.AddWithValue(m.EventId);
            command.Parameters.AddWithValue(r.Address);
            command.Parameters.AddWithValue(SubjectOf(m, r.Language));
            command.Parameters.AddWithValue(BodyOf(m, r, settings));
            command.Parameters.AddWithValue(r.SendAfter);
            command.Parameters.AddWithValue(now);
            batch.BatchCommands.Add(command);
        }

        if (recipients.Count == 0)
        {
            // Only where nobody, not even the duty desk, is cleared for the item's compartment: someone must see to the clearances.
            logger.LogWarning("Escalation {Step} of item {ItemId} ({Channel}) told nobody: no recipient is cleared for the channel", m.Step, m.ItemId, m.Channel);
            return;
        }

        await batch.ExecuteNonQueryAsync(context.CancellationToken);
        logger.LogInformation("Escalation {Step} of {RegisterNumber}: {Count} notifications queued", m.Step, m.RegisterNumber, recipients.Count);
        sender.Nudge();
    }

    public static string SubjectOf(EscalationRaised m, string language) =>
        NotificationTexts.Format(NotificationTexts.For(language).Subject, m.RegisterNumber, m.Step, m.Subject);

    public static string BodyOf(EscalationRaised m, Recipient r, NotificationSettings settings)
    {
        var t = NotificationTexts.For(r.Language);
        var body = new StringBuilder();
        body.AppendLine(NotificationTexts.Format(t.Reached, m.RegisterNumber, m.Step, m.DueAt.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
        body.AppendLine(NotificationTexts.Format(t.SubjectLine, m.Subject));
        body.AppendLine(NotificationTexts.Format(t.Partner, m.PartnerCode, m.Channel, m.Priority));
        body.AppendLine(NotificationTexts.Format(t.ToldAs, r.As));
        if (m.SuggestedAction != "none")
        {
            body.AppendLine(NotificationTexts.Format(t.Suggest, m.SuggestedAction.Replace('-', ' ')));
        }

        if (m.RemindPartner)
        {
            body.AppendLine(t.Remind);
        }

        body.AppendLine();
        body.AppendLine(NotificationTexts.Format(t.Open, settings.ItemLink + m.RegisterNumber));
        return body.ToString();
    }
}

public sealed class EscalationRaisedConsumerDefinition() : RetryingConsumerDefinition<EscalationRaisedConsumer>;
