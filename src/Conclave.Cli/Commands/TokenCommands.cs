using System.CommandLine;
using System.Security.Cryptography;
using Conclave.Crypto.Escrow;
using Conclave.Keys;
using Conclave.Keys.Roles;
using Spectre.Console;

namespace Conclave.Cli.Commands;

/// <summary>
/// conclavectl token: create (development), provision, inspect and test the appliance token,
/// the one conclaved opens. It holds the appliance's roles only; the compliance keys live on
/// the compliance token (conclavectl compliance).
/// </summary>
internal static class TokenCommands
{
    public static Command Create()
    {
        var token = new Command("token", "The appliance's PKCS#11 token: TLS, credential CA, audit and storage keys (conclaved opens it)");

        var init = new Command("init", "Create a development SoftHSM2 token under the state directory (never system-wide)");
        init.SetAction(result => CommandContext.Run(result, Init));
        token.Subcommands.Add(init);

        var provision = new Command("provision", "Generate every missing appliance role key, issue the CA and TLS certificates; nothing existing is overwritten");
        provision.Options.Add(TlsNames);
        provision.SetAction(result => CommandContext.Run(result, context => Provision(context, result.GetValue(TlsNames))));
        token.Subcommands.Add(provision);

        var status = new Command("status", "Token present and logged in, each role key and its protection, mechanisms, registered escrow keys");
        status.SetAction(result => CommandContext.Run(result, Status));
        token.Subcommands.Add(status);

        var objects = new Command("objects", "Every object on the token: class, label, private or public");
        objects.SetAction(result => CommandContext.Run(result, Objects));
        token.Subcommands.Add(objects);

        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var removeEscrowKey = new Command("remove-escrow-key",
            "Destroy compliance keys (conclave-compliance-*) on the appliance token, where older development tokens have an escrow key; conclaved refuses to start with one");
        removeEscrowKey.Options.Add(yes);
        removeEscrowKey.SetAction(result => CommandContext.Run(result, context => RemoveEscrowKey(context, result.GetValue(yes))));
        token.Subcommands.Add(removeEscrowKey);

        var store = new Option<string?>("--store") { Description = "Directory of sealed objects (default: <state-dir>/sealed)" };
        var limit = new Option<int?>("--limit") { Description = "Re-wrap at most this many objects now; run again to continue" };
        var rotateStorage = new Command("storage", "New storage KEK; re-wrap every sealed object's data key (resumable)");
        rotateStorage.Options.Add(store);
        rotateStorage.Options.Add(limit);
        rotateStorage.SetAction(result => CommandContext.Run(result, context =>
        {
            using var stateLock = context.LockState();
            using var token = context.OpenToken();
            return StorageRotation.Run(token, context.StateDirectory, result.GetValue(store) ?? Path.Combine(context.StateDirectory, "sealed"), result.GetValue(limit));
        }));
        var rotate = new Command("rotate", "Replace a key with a new one");
        rotate.Subcommands.Add(rotateStorage);
        foreach (var (name, role) in new[] { ("tls", KeyRole.TlsIdentity), ("audit", KeyRole.AuditSigning) })
        {
            var rotateSigning = new Command(name, $"New {role} key pair; the old one is kept, retired, so what it signed still verifies");
            rotateSigning.SetAction(result => CommandContext.Run(result, context =>
            {
                using var token = context.OpenToken();
                string retired = $"{context.Options.LabelOf(role)}-retired-{DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture)}";
                KeyProvisioner.RotateSigningKey(token, role, retired);
                if (role == KeyRole.TlsIdentity) IssueCertificates(token, null);
                AnsiConsole.MarkupLineInterpolated($"Rotated {role}: a new key pair is [bold]{context.Options.LabelOf(role)}[/]; the old one is {retired}. Restart conclaved to use it.");
                return 0;
            }));
            rotate.Subcommands.Add(rotateSigning);
        }
        token.Subcommands.Add(rotate);

        var selfTest = new Command("self-test", "Sign/verify and wrap/unwrap round trips on the token");
        selfTest.SetAction(result => CommandContext.Run(result, SelfTest));
        token.Subcommands.Add(selfTest);
        return token;
    }

    private static readonly Option<string[]> TlsNames = new("--tls-name")
    {
        Description = "A DNS name or IP address the HTTPS certificate must cover (repeatable; default: localhost, this host's name, 127.0.0.1)",
        AllowMultipleArgumentsPerToken = true,
    };

    private static int Init(CommandContext context)
    {
        if (!context.Development)
        {
            AnsiConsole.MarkupLine("[red]conclavectl: init makes development tokens only (--dev); production tokens are initialised with the vendor's tools[/]");
            return 2;
        }
        bool created = DevelopmentToken.Initialize(context.StateDirectory, context.Options.TokenLabel);
        string directory = Path.Combine(context.StateDirectory, "softhsm");
        if (created)
        {
            AnsiConsole.MarkupLineInterpolated($"Created development token [bold]{context.Options.TokenLabel}[/] in {directory}; its PIN is in {Path.Combine(context.StateDirectory, DevelopmentToken.PinFileName)} (mode 0600).");
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"Development token [bold]{context.Options.TokenLabel}[/] already exists in {directory}.");
        }
        return 0;
    }

    private static int Provision(CommandContext context, string[]? tlsNames)
    {
        using var token = context.OpenToken();
        var results = KeyProvisioner.ProvisionMissing(token, KeyRoles.Appliance);
        IssueCertificates(token, tlsNames);
        var table = new Table().AddColumns("role", "label", "action", "public key SHA-256 (first 16 bytes)");
        foreach (var key in results)
        {
            string fingerprint = key.PublicKey is null ? "(secret key)" : Convert.ToHexString(SHA256.HashData(key.PublicKey))[..32];
            table.AddRow(key.Role, key.Label, key.Created ? "[green]created[/]" : "kept", fingerprint);
        }
        AnsiConsole.Write(table);
        WriteCertificates(token);
        return 0;
    }

    private static void IssueCertificates(Keys.Token token, string[]? tlsNames)
    {
        var names = tlsNames is { Length: > 0 } ? tlsNames : ["localhost", Environment.MachineName, "127.0.0.1"];
        var addresses = names.Select(n => System.Net.IPAddress.TryParse(n, out var a) ? a : null).OfType<System.Net.IPAddress>().ToList();
        var dnsNames = names.Where(n => !System.Net.IPAddress.TryParse(n, out _)).ToList();
        foreach (var role in TokenCertificates.IssueMissing(token, dnsNames, addresses))
        {
            AnsiConsole.MarkupLineInterpolated($"Issued the {role} certificate.");
        }
    }

    private static void WriteCertificates(Keys.Token token)
    {
        var table = new Table().AddColumns("certificate", "subject", "issuer", "expires (UTC)", "SHA-256 (first 16 bytes)");
        foreach (var role in new[] { KeyRole.CredentialCa, KeyRole.TlsIdentity })
        {
            using var certificate = TokenCertificates.Read(token, role);
            if (certificate is null)
            {
                table.AddRow(role.ToString(), "[red]none: run conclavectl token provision[/]", "", "", "");
                continue;
            }
            bool soon = certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow.AddDays(30);
            string expires = certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            table.AddRow(role.ToString(), Markup.Escape(certificate.Subject), Markup.Escape(certificate.Issuer), soon ? $"[red]{expires}[/]" : expires,
                Convert.ToHexString(SHA256.HashData(certificate.RawData))[..32]);
        }
        AnsiConsole.Write(table);
    }

    private static int Status(CommandContext context)
    {
        using var token = context.OpenToken();
        AnsiConsole.MarkupLineInterpolated($"Token [bold]{token.Label}[/] present, logged in ({context.Options.ModulePath}).");
        var keys = new Table().AddColumns("role", "label", "found", "sensitive", "extractable");
        bool allFound = true;
        foreach (var role in KeyRoles.Appliance)
        {
            var protection = KeyProvisioner.Inspect(token, role);
            allFound &= protection.Found && protection.Sensitive && !protection.Extractable;
            keys.AddRow(role.ToString(), token.Options.LabelOf(role), Mark(protection.Found),
                protection.Found ? Mark(protection.Sensitive) : "-", protection.Found ? Mark(!protection.Extractable, protection.Extractable ? "yes" : "no") : "-");
        }
        AnsiConsole.Write(keys);
        var mechanisms = new Table().AddColumns("mechanism", "available");
        foreach (var mechanism in Keys.Token.RequiredMechanisms) mechanisms.AddRow(mechanism.ToString(), Mark(token.Supports(mechanism)));
        AnsiConsole.Write(mechanisms);
        WriteCertificates(token);
        bool certificates = TokenCertificates.Read(token, KeyRole.CredentialCa) is not null && TokenCertificates.Read(token, KeyRole.TlsIdentity) is not null;
        var registered = RegisteredEscrowKeys.Read(token);
        if (registered.Count == 0) AnsiConsole.MarkupLine("Registered escrow keys: none (conclavectl compliance register).");
        else AnsiConsole.MarkupLineInterpolated($"Registered escrow keys: {string.Join(", ", registered.Select(spki => EscrowKeyId.DisplayOf(spki)))}.");
        var stray = StrayComplianceKeys.Find(token);
        if (stray.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Compliance keys on the appliance token ({string.Join(", ", stray)}): conclaved refuses to start; remove them with {StrayComplianceKeys.RemoveCommand}[/]");
        }
        return allFound && certificates && stray.Count == 0 && Keys.Token.RequiredMechanisms.All(token.Supports) ? 0 : 1;
    }

    private static int Objects(CommandContext context)
    {
        using var token = context.OpenToken();
        var table = new Table().AddColumns("class", "label", "visibility");
        foreach (var found in token.Objects().OrderBy(o => o.Label, StringComparer.Ordinal).ThenBy(o => o.Class, StringComparer.Ordinal))
        {
            table.AddRow(found.Class, Markup.Escape(found.Label), found.Private ? "private" : "public");
        }
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>
    /// Destroys the compliance keys an appliance token must not hold (conclave-compliance-*,
    /// both halves): development tokens provisioned before the compliance token existed have
    /// an escrow key. Asks first on a terminal; --yes for scripts. Not audited, like the
    /// other token commands (provision, rotate).
    /// </summary>
    private static int RemoveEscrowKey(CommandContext context, bool yes)
    {
        using var stateLock = context.LockState();
        using var token = context.OpenToken();
        var labels = token.Objects()
            .Where(o => o.Class is "CKO_PRIVATE_KEY" or "CKO_PUBLIC_KEY" && o.Label.StartsWith(ComplianceKeyRoles.LabelPrefix, StringComparison.Ordinal))
            .Select(o => o.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        if (labels.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"Token [bold]{token.Label}[/] holds no compliance key: nothing to remove.");
            return 0;
        }
        string listed = string.Join(", ", labels);
        if (!yes)
        {
            if (Console.IsInputRedirected)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]conclavectl: token '{token.Label}' holds {listed}; not a terminal to confirm on: add --yes to destroy them[/]");
                return 2;
            }
            if (!AnsiConsole.Confirm($"Destroy {Markup.Escape(listed)} on token {Markup.Escape(token.Label)}? It cannot be undone.", defaultValue: false))
            {
                AnsiConsole.MarkupLine("Nothing removed.");
                return 1;
            }
        }
        var removed = StrayComplianceKeys.Remove(token);
        AnsiConsole.MarkupLineInterpolated($"Removed {string.Join(", ", removed)} (private and public key) from the appliance token [bold]{token.Label}[/]; compliance keys live on the compliance token (conclavectl compliance provision).");
        return 0;
    }

    private static int SelfTest(CommandContext context)
    {
        using var token = context.OpenToken();
        var checks = new List<(string Name, bool Passed)>();
        var data = RandomNumberGenerator.GetBytes(64);
        foreach (var role in new[] { KeyRole.TlsIdentity, KeyRole.CredentialCa, KeyRole.AuditSigning })
        {
            using var verifier = ECDsa.Create();
            verifier.ImportSubjectPublicKeyInfo(token.ExportPublicKey(role), out _);
            checks.Add(($"{role}: ECDSA P-256 sign on token, verify in .NET",
                verifier.VerifyData(data, token.SignDer(role, data), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
        }
        var dataKey = RandomNumberGenerator.GetBytes(32);
        checks.Add(("StorageKek: wrap then unwrap a data key (RFC 5649)", token.UnwrapDataKey(token.WrapDataKey(dataKey)).SequenceEqual(dataKey)));

        var table = new Table().AddColumns("check", "result");
        foreach (var (name, passed) in checks) table.AddRow(name, Mark(passed, passed ? "pass" : "FAIL"));
        AnsiConsole.Write(table);
        return checks.All(c => c.Passed) ? 0 : 1;
    }

    private static string Mark(bool good, string? text = null) => good ? $"[green]{text ?? "yes"}[/]" : $"[red]{text ?? "no"}[/]";
}
