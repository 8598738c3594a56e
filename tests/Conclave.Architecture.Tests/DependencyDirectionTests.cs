using System.Reflection;
using NetArchTest.Rules;

namespace Conclave.Architecture.Tests;

/// <summary>
/// The arrows of docs/architecture.md's code layout: Media depends on no other Conclave project,
/// Web only on the inner ones, Daemon composes. Within Media, the wire formats and
/// protocols never see the SFU that uses them.
/// </summary>
public sealed class DependencyDirectionTests
{
    private static readonly Assembly Media = typeof(Conclave.Media.Sfu.MediaPlane).Assembly;
    private static readonly Assembly Web = typeof(Conclave.Web.ConclaveWebEndpoints).Assembly;
    private static readonly Assembly Daemon = typeof(Conclave.Daemon.DaemonHost).Assembly;
    private static readonly Assembly Keys = typeof(Conclave.Keys.Token).Assembly;
    private static readonly Assembly Crypto = typeof(Conclave.Crypto.Envelopes.SealedEnvelope).Assembly;
    private static readonly Assembly Meetings = typeof(Conclave.Meetings.Admission.AdmissionService).Assembly;
    private static readonly Assembly Storage = typeof(Conclave.Storage.ApplianceDatabase).Assembly;
    private static readonly Assembly Recording = typeof(Conclave.Recording.RecordingFormat).Assembly;
    private static readonly Assembly Cli = Assembly.Load("conclavectl"); // an exe: no public type to name

    /// <summary>Which Conclave projects each may reference (docs/architecture.md, "Code layout and dependency direction").</summary>
    public static TheoryData<string, string[]> AllowedReferences => new()
    {
        { "Conclave.Media", [] },
        { "Conclave.Keys", [] },
        { "Conclave.Crypto", [] },
        { "Conclave.Meetings", [] },
        { "Conclave.Storage", ["Conclave.Meetings"] },
        { "Conclave.Recording", ["Conclave.Media", "Conclave.Crypto"] },
        { "Conclave.Web", ["Conclave.Media", "Conclave.Meetings", "Conclave.Crypto"] },
        { "conclaved", ["Conclave.Media", "Conclave.Recording", "Conclave.Web", "Conclave.Keys", "Conclave.Crypto", "Conclave.Meetings", "Conclave.Storage"] }, // Conclave.Daemon's assembly
        { "conclavectl", ["Conclave.Keys", "Conclave.Crypto", "Conclave.Storage", "Conclave.Meetings", "Conclave.Recording", "Conclave.Media"] }, // Conclave.Cli's assembly
    };

    [Theory]
    [MemberData(nameof(AllowedReferences))]
    public void A_project_references_only_the_projects_inside_it(string project, string[] allowed)
    {
        var assembly = new[] { Media, Keys, Crypto, Meetings, Storage, Recording, Web, Daemon, Cli }.Single(a => a.GetName().Name == project);
        var conclaveReferences = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name.StartsWith("Conclave.", StringComparison.Ordinal))
            .ToArray();
        Assert.All(conclaveReferences, name => Assert.Contains(name, allowed));
    }

    [Theory]
    [InlineData("Conclave.Media.Stun")]
    [InlineData("Conclave.Media.Ice")]
    [InlineData("Conclave.Media.Dtls")]
    [InlineData("Conclave.Media.Srtp")]
    [InlineData("Conclave.Media.Rtp")]
    [InlineData("Conclave.Media.Rtcp")]
    [InlineData("Conclave.Media.Sdp")]
    public void A_protocol_never_sees_the_sfu_or_the_socket(string protocolNamespace)
    {
        var result = Types.InAssembly(Media)
            .That().ResideInNamespace(protocolNamespace)
            .ShouldNot().HaveDependencyOnAny("Conclave.Media.Sfu", "Conclave.Media.Transport")
            .GetResult();
        Assert.True(result.IsSuccessful, $"{protocolNamespace} depends on the SFU: {string.Join(", ", result.FailingTypeNames ?? [])}");
        Assert.NotEmpty(Types.InAssembly(Media).That().ResideInNamespace(protocolNamespace).GetTypes());
    }

    [Fact]
    public void The_domain_never_sees_sockets_sql_or_aspnet()
    {
        var result = Types.InAssembly(Meetings).ShouldNot()
            .HaveDependencyOnAny("Microsoft.AspNetCore", "Microsoft.Data.Sqlite", "System.Net.Sockets", "System.Net.WebSockets", "Conclave.Media")
            .GetResult();
        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_media_plane_never_sees_aspnet_or_signalling()
    {
        var result = Types.InAssembly(Media).ShouldNot()
            .HaveDependencyOnAny("Microsoft.AspNetCore", "Conclave.Web", "System.Net.WebSockets")
            .GetResult();
        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
    }
}
