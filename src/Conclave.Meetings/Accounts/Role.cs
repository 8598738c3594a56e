namespace Conclave.Meetings.Accounts;

/// <summary>What an account may do; an account may hold several. Guests are not accounts.</summary>
[Flags]
public enum Role
{
    None = 0,
    /// <summary>Users, settings, every meeting, the audit log, token status.</summary>
    Admin = 1,
    /// <summary>Token status and the audit log.</summary>
    SecurityOfficer = 2,
    /// <summary>The audit log (and, later, recordings).</summary>
    ComplianceOfficer = 4,
    /// <summary>Creates meetings and runs their own.</summary>
    Host = 8,
    /// <summary>Joins meetings whose roster names them.</summary>
    Member = 16,
}

public static class Roles
{
    public static readonly Role[] All = [Role.Admin, Role.SecurityOfficer, Role.ComplianceOfficer, Role.Host, Role.Member];

    /// <summary>Roles that can change who may meet or read what was audited: a stolen password alone must not be enough.</summary>
    public const Role RequiringSecondFactor = Role.Admin | Role.SecurityOfficer | Role.ComplianceOfficer;

    /// <summary>Every defined role; a value with any other bit is no set of roles.</summary>
    public const Role Defined = Role.Admin | Role.SecurityOfficer | Role.ComplianceOfficer | Role.Host | Role.Member;

    public static bool AreValid(Role roles) => roles != Role.None && (roles & ~Defined) == 0;

    public static bool RequiresSecondFactor(Role roles) => (roles & RequiringSecondFactor) != 0;

    public static string Name(Role role) => role switch
    {
        Role.Admin => "admin",
        Role.SecurityOfficer => "security",
        Role.ComplianceOfficer => "compliance",
        Role.Host => "host",
        Role.Member => "member",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static string Describe(Role roles) =>
        roles == Role.None ? "none" : string.Join(", ", All.Where(r => roles.HasFlag(r)).Select(Name));

    /// <summary>Parses one role name; false for anything else (an unknown role is refused, never ignored).</summary>
    public static bool TryParse(string? name, out Role role)
    {
        role = All.FirstOrDefault(r => string.Equals(Name(r), name?.Trim(), StringComparison.OrdinalIgnoreCase));
        return role != Role.None;
    }
}
