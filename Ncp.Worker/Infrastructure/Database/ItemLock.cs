namespace Ncp.Worker.Infrastructure.Database;

/// <summary>
/// The per-item transaction lock that the consumers of ItemRegistered and ItemAssigned both take, so that an assignment
/// arriving before its item (another queue) is never missed by either.
/// </summary>
public static class ItemLock
{
    /// <summary>SQL for the lock key of the item in parameter <c>@item</c>, for <c>pg_advisory_xact_lock</c>.</summary>
    public const string Key = "hashtextextended(@item::text, 7477)";
}
