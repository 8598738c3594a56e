namespace Conclave.Meetings.Accounts;

public enum LoginOutcome
{
    Succeeded,
    /// <summary>
    /// Wrong user name, password or code, or a name that must wait before its next try from
    /// this source: one outcome and one message for all, so neither an account nor a pause is learnt.
    /// </summary>
    WrongCredentials,
    /// <summary>Too many failures from this address, whatever the names.</summary>
    Throttled,
    Disabled,
}

public sealed record LoginResult(LoginOutcome Outcome, Account? Account, string Message)
{
    public bool Succeeded => Outcome == LoginOutcome.Succeeded;
}

/// <summary>A new session: the cookie value goes to the browser once and is never stored.</summary>
public sealed record StartedSession(string CookieValue, ConsoleSession Session);

/// <summary>What the enrolment page shows: the seed as Base32 text, as an otpauth URI, and as a QR code.</summary>
public sealed record TotpEnrolment(string SecretBase32, string ProvisioningUri, string QrPngDataUri);
