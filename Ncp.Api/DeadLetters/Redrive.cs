using Ncp.Conventions;

namespace Ncp.Api.DeadLetters;

/// <summary>
/// <c>Ncp.Api redrive [queue...]</c> (<c>./ncp redrive</c>): lists the error queues with the reason of their letters, and
/// moves the named ones (or, with <c>--all</c>, every one) back to their endpoints. Without arguments it only lists.
/// </summary>
public static class Redrive
{
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, CancellationToken ct)
    {
        var box = services.GetRequiredService<DeadLetterBox>();
        IReadOnlyList<DeadLetterQueue> queues;
        try
        {
            queues = await box.QueuesAsync(ct);
        }
        catch (HttpRequestException e)
        {
            await output.WriteLineAsync($"The broker's management API does not answer ({e.Message}); check RabbitMq:ManagementUrl.");
            return 1;
        }

        if (queues.Count == 0)
        {
            await output.WriteLineAsync("No dead letters.");
            return 0;
        }

        foreach (var queue in queues)
        {
            await output.WriteLineAsync($"{queue.Queue}: {queue.Messages} letter(s)");
            foreach (var letter in await box.PeekAsync(queue.Queue, 5, ct))
            {
                await output.WriteLineAsync($"    {letter.FaultedAt:yyyy-MM-dd HH:mm:ss} {letter.MessageType}: {letter.ExceptionType}: {letter.Reason}");
            }
        }

        var chosen = args.Contains("--all") ? [.. queues.Select(q => q.Queue)] : args.Where(a => !a.StartsWith('-')).ToArray();
        if (chosen.Length == 0)
        {
            await output.WriteLineAsync("Nothing moved. Name the queues to move back (or --all) once the cause is fixed.");
            return 0;
        }

        var status = 0;
        foreach (var queue in chosen)
        {
            if (!box.IsOurs(queue))
            {
                await output.WriteLineAsync($"{queue}: not an error queue of this deployment; skipped.");
                status = 1;
                continue;
            }

            await output.WriteLineAsync($"{queue}: {await box.RedriveAsync(queue, ct)} moved back to {queue[..^"_error".Length]}.");
        }

        return status;
    }
}
