using Ncp.Api.Infrastructure.Marten;
using Npgsql;

namespace Ncp.Tests.Infrastructure;

/// <summary>Which failures the item store and the registrar run again: those that kept nothing and were only bad timing.</summary>
public sealed class TransientConflictTests
{
    [Theory]
    [InlineData(PostgresErrorCodes.DeadlockDetected, true)]
    [InlineData(PostgresErrorCodes.SerializationFailure, true)]
    [InlineData(PostgresErrorCodes.InFailedSqlTransaction, true)]
    [InlineData(PostgresErrorCodes.UniqueViolation, false)]
    [InlineData(PostgresErrorCodes.CheckViolation, false)]
    public void A_deadlock_or_a_serialization_failure_is_run_again_however_deep_Marten_wrapped_it(string sqlState, bool again)
    {
        var postgres = new PostgresException("from the server", "ERROR", "ERROR", sqlState);

        Assert.Equal(again, Postgres.IsTransientConflict(postgres));
        Assert.Equal(again, Postgres.IsTransientConflict(new InvalidOperationException("Marten's", new AggregateException(postgres))));
        Assert.False(Postgres.IsTransientConflict(new TimeoutException("no answer")));
    }
}
