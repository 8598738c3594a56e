using Conclave.Meetings.Accounts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Console;

internal static class ConsoleEndpointConventions
{
    /// <summary>
    /// Puts the endpoint (or every endpoint of a route group) behind <see cref="ConsoleAccessFilter"/>
    /// for one of <paramref name="anyOf"/> (<see cref="Role.None"/>: any logged-in account), with a
    /// <see cref="Meetings.DomainException"/> from the handler answered by <see cref="DomainErrorFilter"/>.
    /// Handlers then take a <see cref="ConsoleRequest"/>. Once per endpoint: not on a group and again inside it.
    /// </summary>
    public static TBuilder RequireConsoleRole<TBuilder>(this TBuilder builder, Role anyOf) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ConsoleRoleMetadata(anyOf))
            .AddEndpointFilter<TBuilder, ConsoleAccessFilter>()
            .AddEndpointFilter<TBuilder, DomainErrorFilter>();
}
