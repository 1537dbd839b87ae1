using Ncp.Api.Accounts;

namespace Ncp.Tests.Accounts;

/// <summary>The local issuer's rule for one attempt, as a table: the account's state × what was typed → outcome and what the account keeps.</summary>
public sealed class SignInAttemptsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly LockoutSettings Lockout = new(Attempts: 3, Minutes: 15);

    public enum Typed
    {
        Right,
        WrongPassword,
        WrongCode,
        ReplayedCode,
    }

    public enum State
    {
        Fresh,
        TwoFailures,
        Locked,
        LockExpired,
        Disabled,
    }

    [Theory]
    //          state               typed                 outcome                      failures  locked
    [InlineData(State.Fresh, Typed.Right, SignInOutcome.SignedIn, 0, false)]
    [InlineData(State.Fresh, Typed.WrongPassword, SignInOutcome.Refused, 1, false)]
    [InlineData(State.Fresh, Typed.WrongCode, SignInOutcome.Refused, 1, false)]
    [InlineData(State.Fresh, Typed.ReplayedCode, SignInOutcome.Refused, 1, false)]
    [InlineData(State.TwoFailures, Typed.Right, SignInOutcome.SignedIn, 0, false)]
    [InlineData(State.TwoFailures, Typed.WrongCode, SignInOutcome.LockedOut, 0, true)]
    [InlineData(State.TwoFailures, Typed.WrongPassword, SignInOutcome.LockedOut, 0, true)]
    [InlineData(State.Locked, Typed.Right, SignInOutcome.LockedOut, 0, true)]
    [InlineData(State.Locked, Typed.WrongPassword, SignInOutcome.LockedOut, 0, true)]
    [InlineData(State.LockExpired, Typed.Right, SignInOutcome.SignedIn, 0, false)]
    [InlineData(State.LockExpired, Typed.WrongCode, SignInOutcome.Refused, 1, false)]
    [InlineData(State.Disabled, Typed.Right, SignInOutcome.Disabled, 0, false)]
    [InlineData(State.Disabled, Typed.WrongPassword, SignInOutcome.Refused, 1, false)]
    public void An_attempt_ends_as_the_table_says(State state, Typed typed, SignInOutcome expected, int failuresAfter, bool lockedAfter)
    {
        var account = state switch
        {
            State.TwoFailures => Account with { FailedAttempts = 2 },
            State.Locked => Account with { LockedUntil = Now.AddMinutes(1) },
            State.LockExpired => Account with { LockedUntil = Now },
            State.Disabled => Account with { Disabled = true },
            _ => Account,
        };
        var (passwordMatches, step) = typed switch
        {
            Typed.WrongPassword => (false, (long?)101),
            Typed.WrongCode => (true, null),
            Typed.ReplayedCode => (true, Account.LastTotpStep),
            _ => (true, 101L),
        };

        var (outcome, after) = SignInAttempts.Decide(account, passwordMatches, step, Now, Lockout);

        Assert.Equal(expected, outcome);
        Assert.Equal(failuresAfter, after.FailedAttempts);
        Assert.Equal(lockedAfter, after.LockedUntil > Now);
        Assert.Equal(outcome == SignInOutcome.SignedIn ? 101 : Account.LastTotpStep, after.LastTotpStep);
    }

    [Fact]
    public void The_lockout_lasts_the_configured_minutes_from_the_failure_that_caused_it()
    {
        var (_, after) = SignInAttempts.Decide(Account with { FailedAttempts = 2 }, false, null, Now, Lockout);

        Assert.Equal(Now.AddMinutes(15), after.LockedUntil);
    }

    public enum KeyAnswer
    {
        Fresh,
        CountStill,
        CountBack,
        OlderChallenge,
        SameChallenge,
        RemovedKey,
        NoCountKept,
    }

    [Theory]
    //          the key's answer          outcome
    [InlineData(KeyAnswer.Fresh, SignInOutcome.SignedIn)]
    [InlineData(KeyAnswer.CountStill, SignInOutcome.Refused)]
    [InlineData(KeyAnswer.CountBack, SignInOutcome.Refused)]
    [InlineData(KeyAnswer.OlderChallenge, SignInOutcome.Refused)]
    [InlineData(KeyAnswer.SameChallenge, SignInOutcome.Refused)]
    [InlineData(KeyAnswer.RemovedKey, SignInOutcome.Refused)]
    [InlineData(KeyAnswer.NoCountKept, SignInOutcome.SignedIn)]
    public void A_security_key_instead_of_the_code_is_accepted_as_the_table_says(KeyAnswer answer, SignInOutcome expected)
    {
        var account = Account with { SecurityKeys = [new("k1", [1], 7, "blue", Now), new("k0", [2], 0, "passkey", Now)], LastKeyChallenge = 1000 };
        var key = answer switch
        {
            KeyAnswer.CountStill => new KeyUse("k1", 7, 1001),
            KeyAnswer.CountBack => new KeyUse("k1", 3, 1001),
            KeyAnswer.OlderChallenge => new KeyUse("k1", 8, 999),
            KeyAnswer.SameChallenge => new KeyUse("k1", 8, 1000),
            KeyAnswer.RemovedKey => new KeyUse("k2", 8, 1001),
            KeyAnswer.NoCountKept => new KeyUse("k0", 0, 1001),
            _ => new KeyUse("k1", 8, 1001),
        };

        var (outcome, after) = SignInAttempts.Decide(account, true, null, Now, Lockout, key);

        Assert.Equal(expected, outcome);
        Assert.Equal(outcome == SignInOutcome.SignedIn ? 0 : 1, after.FailedAttempts);
        Assert.Equal(outcome == SignInOutcome.SignedIn ? 1001 : 1000, after.LastKeyChallenge);
        Assert.Equal(account.LastTotpStep, after.LastTotpStep);
        var used = after.SecurityKeys.Single(k => k.Id == (answer == KeyAnswer.NoCountKept ? "k0" : "k1"));
        Assert.Equal(outcome == SignInOutcome.SignedIn ? key.SignCount : account.SecurityKeys.Single(k => k.Id == used.Id).SignCount, used.SignCount);
    }

    [Fact]
    public void A_security_key_does_not_stand_in_for_a_wrong_password_nor_open_a_disabled_account()
    {
        var account = Account with { SecurityKeys = [new("k1", [1], 7, "blue", Now)] };
        var key = new KeyUse("k1", 8, 1);

        Assert.Equal(SignInOutcome.Refused, SignInAttempts.Decide(account, false, null, Now, Lockout, key).Outcome);
        Assert.Equal(SignInOutcome.Disabled, SignInAttempts.Decide(account with { Disabled = true }, true, null, Now, Lockout, key).Outcome);
    }

    private static readonly OfficerAccount Account = new() { Id = Guid.CreateVersion7(), Login = "a.officer", LastTotpStep = 100 };
}
