using System.CommandLine;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Conclave.Crypto.Escrow;
using Conclave.Keys;
using Conclave.Keys.Roles;
using Spectre.Console;

namespace Conclave.Cli.Commands;

/// <summary>
/// conclavectl compliance: the compliance token, which holds the escrow keys that open
/// recordings and the key that signs exports, under a PIN conclaved never sees
/// (docs/recording.md, "Tokens: appliance and compliance"). Its escrow keys are registered
/// on the appliance token, where conclaved reads them.
/// </summary>
internal static class ComplianceCommands
{
    internal static readonly Option<string> Label = new("--compliance-label")
    {
        Description = "Label of the compliance token",
        DefaultValueFactory = _ => ComplianceToken.DefaultLabel,
        Recursive = true,
    };

    internal static readonly Option<string?> Module = new("--compliance-module")
    {
        Description = "PKCS#11 module of the compliance token (default: the appliance token's, --module)",
        Recursive = true,
    };

    private static readonly Option<string> PinFile = new("--pin-file")
    {
        Description = "Where the new token's user PIN is written (0600; its security officer PIN goes to PATH.so); outside the state directory",
        Required = true,
    };

    /// <summary>Which token the compliance commands work on.</summary>
    internal sealed record Target(string ModulePath, string Label);

    public static Command Create()
    {
        var compliance = new Command("compliance", "The compliance token: escrow keys that open recordings, the key that signs exports; conclaved never opens it");
        compliance.Options.Add(Label);
        compliance.Options.Add(Module);

        var init = new Command("init", "Create a development SoftHSM2 compliance token beside the appliance's; its PINs go outside the state directory");
        init.Options.Add(PinFile);
        init.SetAction(result => Run(result, (context, target) => Init(context, target, result.GetValue(PinFile)!)));
        compliance.Subcommands.Add(init);

        var provision = new Command("provision", "Generate the missing escrow and signing keys on the compliance token; nothing existing is overwritten");
        provision.SetAction(result => Run(result, Provision));
        compliance.Subcommands.Add(provision);

        var status = new Command("status", "Compliance token present, its keys and their protection, escrow key ids and whether the appliance has them registered");
        status.SetAction(result => Run(result, Status));
        compliance.Subcommands.Add(status);

        var selfTest = new Command("self-test", "ECDH with each escrow key on the token equals ECDH in .NET; sign on the token, verify in .NET");
        selfTest.SetAction(result => Run(result, SelfTest));
        compliance.Subcommands.Add(selfTest);

        var register = new Command("register", "Check each escrow key by an ECDH round trip, then register their public keys on the appliance token");
        register.SetAction(result => Run(result, Register));
        compliance.Subcommands.Add(register);
        return compliance;
    }

    /// <summary>Runs a command on the compliance token the options name (never the appliance's).</summary>
    internal static int Run(ParseResult result, Func<CommandContext, Target, int> command) => CommandContext.Run(result, context =>
    {
        var target = new Target(result.GetValue(Module) ?? context.Options.ModulePath, result.GetValue(Label)!);
        if (target.Label == context.Options.TokenLabel)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]conclavectl: the compliance token must be another token than the appliance's ('{target.Label}')[/]");
            return 2;
        }
        return command(context, target);
    });

    /// <summary>Opens the compliance token with its PIN (credential, prompt or standard input; never retried: tokens lock).</summary>
    internal static ComplianceToken Open(Target target)
    {
        var pin = CompliancePin.Read(target.Label);
        try
        {
            return ComplianceToken.Open(target.ModulePath, target.Label, pin);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pin);
        }
    }

    private static int Init(CommandContext context, Target target, string pinFile)
    {
        if (!context.Development)
        {
            AnsiConsole.MarkupLine("[red]conclavectl: compliance init makes development tokens only (--dev); production tokens are initialised with the vendor's tools[/]");
            return 2;
        }
        string pinPath = Path.GetFullPath(pinFile);
        string securityOfficerPinPath = pinPath + ".so";
        if (IsWithin(pinPath, context.StateDirectory))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]conclavectl: {pinPath} is inside the state directory {context.StateDirectory}, which conclaved reads: the compliance PIN must be kept outside it[/]");
            return 2;
        }
        string softHsm = Path.Combine(context.StateDirectory, "softhsm");
        if (DevelopmentToken.Exists(context.StateDirectory, target.Label))
        {
            AnsiConsole.MarkupLineInterpolated($"Development compliance token [bold]{target.Label}[/] already exists in {softHsm}.");
            return 0;
        }
        foreach (string path in new[] { pinPath, securityOfficerPinPath })
        {
            if (File.Exists(path)) throw new InvalidDataException($"{path} already exists: not overwritten (another token's PIN?)");
        }
        if (!Directory.Exists(Path.GetDirectoryName(pinPath))) throw new InvalidDataException($"{Path.GetDirectoryName(pinPath)} does not exist");
        DevelopmentToken.Initialize(context.StateDirectory, target.Label, pinPath, securityOfficerPinPath);
        AnsiConsole.MarkupLineInterpolated($"Created development compliance token [bold]{target.Label}[/] in {softHsm}; its PIN is in {pinPath}, its security officer PIN in {securityOfficerPinPath} (mode 0600).");
        return 0;
    }

    private static int Provision(CommandContext context, Target target)
    {
        using var token = Open(target);
        var table = new Table().AddColumns("role", "label", "action", "key id (SHA-256 of the public key)");
        foreach (var key in KeyProvisioner.ProvisionMissing(token, ComplianceKeyRoles.All))
        {
            table.AddRow(key.Role, key.Label, key.Created ? "[green]created[/]" : "kept", EscrowKeyId.DisplayOf(key.PublicKey!));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("Register the escrow keys on the appliance token with [bold]conclavectl compliance register[/].");
        return 0;
    }

    private static int Status(CommandContext context, Target target)
    {
        using var token = Open(target);
        AnsiConsole.MarkupLineInterpolated($"Compliance token [bold]{token.Label}[/] present, logged in ({target.ModulePath}).");
        var registered = RegisteredOnAppliance(context, out string? unknownWhy);
        var keys = new Table().AddColumns("role", "label", "found", "sensitive", "extractable", "key id", $"registered on '{context.Options.TokenLabel}'");
        bool healthy = true;
        var ownIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in ComplianceKeyRoles.All)
        {
            var protection = KeyProvisioner.Inspect(token, role);
            healthy &= protection.Found && protection.Sensitive && !protection.Extractable;
            string id = protection.Found ? EscrowKeyId.DisplayOf(token.PublicKey(role)) : "-";
            ownIds.Add(id);
            string registration = role == ComplianceKeyRole.Signing || !protection.Found ? "-"
                : registered is null ? "[yellow]unknown[/]"
                : Mark(registered.Contains(id));
            keys.AddRow(role.ToString(), ComplianceKeyRoles.LabelOf(role), Mark(protection.Found),
                protection.Found ? Mark(protection.Sensitive) : "-", protection.Found ? Mark(!protection.Extractable, protection.Extractable ? "yes" : "no") : "-",
                id, registration);
        }
        AnsiConsole.Write(keys);
        if (unknownWhy is not null) AnsiConsole.MarkupLineInterpolated($"[yellow]Registration unknown: {unknownWhy}[/]");
        foreach (string foreign in registered?.Where(id => !ownIds.Contains(id)) ?? [])
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]The appliance also has escrow key {foreign} registered, which is not on this token.[/]");
        }
        var mechanisms = new Table().AddColumns("mechanism", "available");
        foreach (var mechanism in ComplianceToken.RequiredMechanisms) mechanisms.AddRow(mechanism.ToString(), Mark(token.Supports(mechanism)));
        AnsiConsole.Write(mechanisms);
        return healthy && ComplianceToken.RequiredMechanisms.All(token.Supports) ? 0 : 1;
    }

    /// <summary>The displayed ids of the escrow keys registered on the appliance token; null (and why) when it cannot be read here.</summary>
    private static List<string>? RegisteredOnAppliance(CommandContext context, out string? unknownWhy)
    {
        try
        {
            using var appliance = context.OpenToken();
            unknownWhy = null;
            return RegisteredEscrowKeys.Read(appliance).Select(spki => EscrowKeyId.DisplayOf(spki)).ToList();
        }
        catch (TokenException e)
        {
            unknownWhy = e.Message;
            return null;
        }
    }

    private static int SelfTest(CommandContext context, Target target)
    {
        using var token = Open(target);
        var checks = new List<(string Name, bool Passed)>();
        foreach (var role in ComplianceKeyRoles.Escrow)
        {
            var spki = token.PublicKey(role);
            checks.Add(($"{role} ({EscrowKeyId.DisplayOf(spki)}): ECDH on token equals ECDH in .NET", EcdhRoundTrip(token, spki)));
        }
        var data = RandomNumberGenerator.GetBytes(64);
        using (var verifier = ECDsa.Create())
        {
            verifier.ImportSubjectPublicKeyInfo(token.SigningPublicKey(), out _);
            checks.Add(($"{ComplianceKeyRole.Signing}: ECDSA P-256 sign on token, verify in .NET",
                verifier.VerifyData(data, token.SignManifest(data), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
        }
        var table = new Table().AddColumns("check", "result");
        foreach (var (name, passed) in checks) table.AddRow(Markup.Escape(name), Mark(passed, passed ? "pass" : "FAIL"));
        AnsiConsole.Write(table);
        return checks.All(c => c.Passed) ? 0 : 1;
    }

    private static int Register(CommandContext context, Target target)
    {
        IReadOnlyList<byte[]> escrowKeys;
        using (var token = Open(target))
        {
            escrowKeys = token.EscrowPublicKeys();
            foreach (var spki in escrowKeys)
            {
                if (!EcdhRoundTrip(token, spki))
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]conclavectl: escrow key {EscrowKeyId.DisplayOf(spki)} failed its ECDH round trip: nothing registered[/]");
                    return 1;
                }
            }
        }
        using (var appliance = context.OpenToken())
        {
            RegisteredEscrowKeys.Write(appliance, escrowKeys);
        }
        AnsiConsole.MarkupLineInterpolated($"Registered {escrowKeys.Count} escrow keys on the appliance token [bold]{context.Options.TokenLabel}[/]:");
        foreach (var spki in escrowKeys) AnsiConsole.MarkupLineInterpolated($"  {EscrowKeyId.DisplayOf(spki)}");
        AnsiConsole.MarkupLine("conclaved reads them at start: restart it to escrow new recordings to them.");
        return 0;
    }

    /// <summary>ECDH between a fresh .NET key and the escrow key on the token agrees on both sides: the key works, and it is the key with this public half.</summary>
    private static bool EcdhRoundTrip(ComplianceToken token, byte[] spki)
    {
        using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var escrowPublic = ECDiffieHellman.Create();
        escrowPublic.ImportSubjectPublicKeyInfo(spki, out _);
        var point = peer.ExportParameters(false).Q;
        var onToken = token.DeriveSharedSecret(spki, [0x04, .. point.X!, .. point.Y!]);
        var inDotnet = peer.DeriveRawSecretAgreement(escrowPublic.PublicKey);
        return CryptographicOperations.FixedTimeEquals(onToken, inDotnet);
    }

    /// <summary>
    /// Whether <paramref name="path"/> is <paramref name="directory"/> or inside it once symbolic
    /// links are resolved (realpath(3)), so a link cannot smuggle a PIN into the state directory.
    /// </summary>
    internal static bool IsWithin(string path, string directory)
    {
        string resolvedDirectory = Resolved(directory);
        string? parent = Path.GetDirectoryName(path);
        string resolvedPath = File.Exists(path) ? Resolved(path) : parent is null ? path : Path.Combine(Resolved(parent), Path.GetFileName(path));
        return resolvedPath == resolvedDirectory || resolvedPath.StartsWith(resolvedDirectory.TrimEnd('/') + "/", StringComparison.Ordinal);
    }

    /// <summary>The canonical path, or the path as given where it does not exist yet.</summary>
    private static string Resolved(string path)
    {
        var resolved = RealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return Path.GetFullPath(path);
        try
        {
            return Marshal.PtrToStringUTF8(resolved) ?? path;
        }
        finally
        {
            Free(resolved);
        }
    }

    private static string Mark(bool good, string? text = null) => good ? $"[green]{text ?? "yes"}[/]" : $"[red]{text ?? "no"}[/]";

    [DllImport("libc", EntryPoint = "realpath")]
    private static extern IntPtr RealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);
}
