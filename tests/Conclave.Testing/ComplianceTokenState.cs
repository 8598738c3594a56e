using System.Security.Cryptography;
using Conclave.Keys;
using Conclave.Keys.Roles;

namespace Conclave.Testing;

/// <summary>
/// A compliance token for the test process: made beside the shared development token (same
/// SoftHSM2 configuration), provisioned with both escrow keys and the signing key, its PIN in a
/// file outside any state directory, as <c>conclavectl compliance init --dev</c> makes it.
/// </summary>
public static class ComplianceTokenState
{
    private static readonly Lazy<(string Label, string PinPath)> Shared = new(() =>
    {
        _ = DevelopmentTokenState.Token; // the module is loaded with the shared configuration
        string label = $"conclave-compliance-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
        string pins = Directory.CreateTempSubdirectory("conclave-compliance-pins-").FullName;
        string pinPath = Path.Combine(pins, "compliance-pin");
        if (!DevelopmentToken.Initialize(DevelopmentTokenState.StateDirectory, label, pinPath, pinPath + ".so"))
        {
            throw new InvalidOperationException($"the compliance token {label} exists already");
        }
        using var token = ComplianceToken.Open(DevelopmentToken.SoftHsmModulePath, label, File.ReadAllBytes(pinPath));
        KeyProvisioner.ProvisionMissing(token, ComplianceKeyRoles.All);
        return (label, pinPath);
    });

    private static readonly Lazy<ComplianceToken> Opened = new(() =>
        ComplianceToken.Open(DevelopmentToken.SoftHsmModulePath, Label, File.ReadAllBytes(PinPath)));

    public static string Label => Shared.Value.Label;

    /// <summary>The user PIN's file (0600), outside every state directory.</summary>
    public static string PinPath => Shared.Value.PinPath;

    /// <summary>The compliance token, opened on first use and held for the rest of the process.</summary>
    public static ComplianceToken Token => Opened.Value;
}
