namespace Conclave.Meetings;

/// <summary>What kind of refusal a <see cref="DomainException"/> is; the web layer maps it to a status code.</summary>
public enum DomainErrorKind
{
    /// <summary>The input breaks a rule (length, format, impossible dates): 400.</summary>
    Invalid,
    /// <summary>The caller may not do this: 403.</summary>
    Forbidden,
    /// <summary>No such object, or not one the caller may see: 404.</summary>
    NotFound,
    /// <summary>It exists already (a user name): 409.</summary>
    Conflict,
    /// <summary>It was valid once and is not any more (expired or used invitation): 410.</summary>
    Gone,
    /// <summary>The meeting is locked or ended: 423.</summary>
    Locked,
    /// <summary>Something the appliance needs is missing right now (its key token): 503.</summary>
    Unavailable,
}

/// <summary>
/// A refusal with a message meant for the person who asked: it never holds a password,
/// a token or a secret, so it may be shown and logged as it is.
/// </summary>
public sealed class DomainException(DomainErrorKind kind, string message) : Exception(message)
{
    public DomainErrorKind Kind { get; } = kind;

    public static DomainException Invalid(string message) => new(DomainErrorKind.Invalid, message);
    public static DomainException Forbidden(string message) => new(DomainErrorKind.Forbidden, message);
    public static DomainException NotFound(string message) => new(DomainErrorKind.NotFound, message);
    public static DomainException Conflict(string message) => new(DomainErrorKind.Conflict, message);
    public static DomainException Gone(string message) => new(DomainErrorKind.Gone, message);
    public static DomainException Locked(string message) => new(DomainErrorKind.Locked, message);
    public static DomainException Unavailable(string message) => new(DomainErrorKind.Unavailable, message);
}
