using Conclave.Meetings;
using Conclave.Meetings.Accounts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Builder;

namespace Conclave.Web.Console;

/// <summary>Users: create, roles, disable/enable, reset (admins only).</summary>
internal static class UserPages
{
    public static void Map(IEndpointRouteBuilder console)
    {
        var users = console.MapGroup("/users").RequireConsoleRole(Role.Admin);
        users.MapGet("/", (ConsoleRequest request, AccountService accounts) => List(request, accounts, null));
        users.MapPost("/", (ConsoleRequest request, AccountService accounts) =>
        {
            var form = request.Form;
            try
            {
                accounts.CreateAccount(request.Account, form["username"], form["display_name"], form["password"], ParseRoles(form["roles"]));
                return Results.Redirect("/console/users");
            }
            catch (DomainException e) when (e.Kind is DomainErrorKind.Invalid or DomainErrorKind.Conflict)
            {
                return List(request, accounts, e.Message, DomainErrorFilter.StatusOf(e.Kind));
            }
        });
        users.MapPost("/{id:long}/roles", (ConsoleRequest request, long id, AccountService accounts) =>
        {
            accounts.SetRoles(request.Account, id, ParseRoles(request.Form["roles"]));
            return Results.Redirect("/console/users");
        });
        users.MapPost("/{id:long}/disable", (ConsoleRequest request, long id, AccountService accounts) =>
        {
            accounts.SetDisabled(request.Account, id, true);
            return Results.Redirect("/console/users");
        });
        users.MapPost("/{id:long}/enable", (ConsoleRequest request, long id, AccountService accounts) =>
        {
            accounts.SetDisabled(request.Account, id, false);
            return Results.Redirect("/console/users");
        });
        users.MapPost("/{id:long}/reset", (ConsoleRequest request, long id, AccountService accounts) =>
        {
            accounts.ResetPassword(request.Account, id, request.Form["password"]);
            return Results.Redirect("/console/users");
        });
    }

    /// <summary>Every posted role must be a known one: an unknown name is refused, not ignored.</summary>
    private static Role ParseRoles(IEnumerable<string?> names)
    {
        var roles = Role.None;
        foreach (string? name in names)
        {
            if (!Roles.TryParse(name, out var role)) throw DomainException.Invalid($"Unknown role '{name}': use admin, security, compliance, host or member.");
            roles |= role;
        }
        if (roles == Role.None) throw DomainException.Invalid("Choose at least one role.");
        return roles;
    }

    private static Html RoleChoices(string idPrefix, Role selected) => Html.Join(Roles.All.Select(role => Html.Of($"""
        <label class="check"><input type="checkbox" name="roles" value="{Roles.Name(role)}" id="{idPrefix}-{Roles.Name(role)}"{Html.When(selected.HasFlag(role), Html.Trusted(" checked"))}> {Roles.Name(role)}</label>
        """)));

    private static IResult List(ConsoleRequest request, AccountService accounts, string? error, int status = StatusCodes.Status200OK)
    {
        var rows = accounts.List(request.Account).Select(a => Html.Of($"""
            <tr>
              <td>{a.UserName}</td><td>{a.DisplayName}</td><td>{Roles.Describe(a.Roles)}</td>
              <td>{(a.Disabled ? "disabled" : "active")}</td>
              <td>{(a.HasSecondFactor ? "yes" : a.MustEnrolSecondFactor ? "required, not enrolled" : "no")}</td>
              <td>
                <form method="post" action="/console/users/{a.Id}/roles" aria-label="Roles of {a.UserName}">{request.CsrfField}{RoleChoices($"roles-{a.Id}", a.Roles)}<button type="submit">Save roles</button></form>
                <form method="post" action="/console/users/{a.Id}/{(a.Disabled ? "enable" : "disable")}" aria-label="{(a.Disabled ? "Enable" : "Disable")} {a.UserName}">{request.CsrfField}<button type="submit">{(a.Disabled ? "Enable" : "Disable")}</button></form>
                <form method="post" action="/console/users/{a.Id}/reset" aria-label="Reset {a.UserName}">{request.CsrfField}
                  <label for="reset-{a.Id}">New password</label><input id="reset-{a.Id}" name="password" type="password" autocomplete="new-password" minlength="{PasswordHasher.MinPasswordLength}" required>
                  <button type="submit">Reset password and TOTP</button></form>
              </td>
            </tr>
            """));
        return ConsoleLayout.Page(request, "Users", Html.Of($"""
            {ConsoleLayout.ErrorNote(error)}
            <table aria-label="Users">
              <thead><tr><th scope="col">User name</th><th scope="col">Name</th><th scope="col">Roles</th><th scope="col">State</th><th scope="col">TOTP</th><th scope="col">Actions</th></tr></thead>
              <tbody>{rows}</tbody>
            </table>
            <h2>New user</h2>
            <form method="post" action="/console/users" aria-label="New user">
              {request.CsrfField}
              <label for="new-username">User name</label>
              <input id="new-username" name="username" required maxlength="{Validation.MaxUserNameLength}">
              <label for="new-display-name">Display name</label>
              <input id="new-display-name" name="display_name" required maxlength="{Validation.MaxDisplayNameLength}">
              <label for="new-password">Initial password</label>
              <input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="{PasswordHasher.MinPasswordLength}">
              <fieldset><legend>Roles</legend>{RoleChoices("new", Role.Member)}</fieldset>
              <button type="submit">Create user</button>
            </form>
            <p class="help">Admin, security and compliance accounts must enrol an authenticator app at their first login.</p>
            """), status);
    }
}
