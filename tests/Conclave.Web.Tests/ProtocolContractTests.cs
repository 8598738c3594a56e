using Conclave.Web.Signalling;

namespace Conclave.Web.Tests;

/// <summary>
/// The appliance (ServerMessage, SignallingError) and the client (protocol.ts) must agree: a
/// field renamed, or a message or code added, on one side alone fails here.
/// </summary>
public sealed class ProtocolContractTests(TypeScriptContract contract) : IClassFixture<TypeScriptContract>
{
    [Fact]
    public void Every_message_type_the_appliance_declares_has_a_sample() =>
        Assert.All(ServerMessageSamples.MessageTypes, type => ServerMessageSamples.Of(type));

    [Fact]
    public void Every_error_code_the_appliance_declares_is_sampled() =>
        Assert.Equal(
            Enum.GetValues<SignallingError>(),
            ServerMessageSamples.All().OfType<ServerMessage.Error>().Select(e => e.Code).Order());

    [Fact]
    public void The_client_types_accept_every_message_and_code_the_appliance_sends_and_declare_no_others() =>
        Assert.True(contract.UnexpectedDiagnostics().Count == 0,
            $"protocol.ts and the appliance disagree:\n{string.Join("\n", contract.UnexpectedDiagnostics())}\n\n{contract.Source(TypeScriptContract.ContractFile)}\n{contract.Output}");

    [Fact]
    public void A_field_named_differently_on_the_appliance_is_a_compile_error()
    {
        var diagnostics = contract.DiagnosticsFor(TypeScriptContract.RenamedFieldFile);
        Assert.Contains(diagnostics, d => d.Contains("participantID"));
    }

    [Fact]
    public void An_error_code_only_the_client_declares_is_a_compile_error()
    {
        var diagnostics = contract.DiagnosticsFor(TypeScriptContract.CodeOnlyInClientFile);
        Assert.Contains(diagnostics, d => d.Contains("\"timeout\""));
    }

    [Fact]
    public void A_message_type_only_the_client_declares_is_a_compile_error()
    {
        var diagnostics = contract.DiagnosticsFor(TypeScriptContract.TypeOnlyInClientFile);
        Assert.Contains(diagnostics, d => d.Contains("\"lobby\""));
    }
}
