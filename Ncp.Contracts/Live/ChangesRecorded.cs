namespace Ncp.Contracts.Live;

/// <summary>
/// Published by the Api once per page of its event log: what changed, so that every Api instance can refresh the
/// screens connected to it (dashboard, item list, an open item). A hint, not a record: a screen reloads what it shows.
/// Delivered at least once; a repeat only refreshes a screen once more.
/// </summary>
/// <param name="Changes">In the order they were recorded.</param>
public sealed record ChangesRecorded(RecordChange[] Changes);

/// <summary>One recorded change.</summary>
/// <param name="Kind"><c>item</c> or <c>quarantine</c>.</param>
/// <param name="Id">The item's or the quarantined mail's stream id.</param>
/// <param name="RegisterNumber">The item's register number (items only).</param>
/// <param name="Channel">The item's channel (items only): screens not cleared for it are not told.</param>
/// <param name="What">The event, kebab-case: <c>item-registered</c>, <c>mail-received</c>, <c>mail-held</c>, ...</param>
/// <param name="At">When it was recorded.</param>
public sealed record RecordChange(string Kind, Guid Id, string? RegisterNumber, string? Channel, string What, DateTimeOffset At);
