using Conclave.Meetings.Accounts;

namespace Conclave.Web.Console;

/// <summary>Endpoint metadata: the roles of which an account needs one to use the endpoint (<see cref="Role.None"/>: any account).</summary>
internal sealed record ConsoleRoleMetadata(Role AnyOf);
