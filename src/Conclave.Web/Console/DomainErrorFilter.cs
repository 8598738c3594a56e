using Conclave.Meetings;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Console;

/// <summary>A <see cref="DomainException"/> from a handler becomes a page with its status and message.</summary>
internal sealed class DomainErrorFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DomainException e)
        {
            return ConsoleLayout.Message(StatusOf(e.Kind), "Not done", e.Message);
        }
    }

    public static int StatusOf(DomainErrorKind kind) => kind switch
    {
        DomainErrorKind.Invalid => StatusCodes.Status400BadRequest,
        DomainErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        DomainErrorKind.NotFound => StatusCodes.Status404NotFound,
        DomainErrorKind.Conflict => StatusCodes.Status409Conflict,
        DomainErrorKind.Gone => StatusCodes.Status410Gone,
        DomainErrorKind.Locked => StatusCodes.Status423Locked,
        DomainErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };
}
