using Conclave.Web.Signalling;

namespace Conclave.Web.Tests;

/// <summary>One presenter per room; the host takes over, anyone else is told the share is busy (docs/content-sharing.md).</summary>
public sealed class PresentationTests
{
    private readonly Presentation _presentation = new();

    [Fact]
    public void Someone_asking_while_nobody_presents_presents()
    {
        Assert.Equal(ShareDecision.Started, _presentation.Start("ada", isHost: false, out var previous));
        Assert.Null(previous);
        Assert.Equal("ada", _presentation.PresenterId);
    }

    [Fact]
    public void A_second_participant_who_is_not_the_host_is_busy_and_the_presenter_stays()
    {
        _presentation.Start("ada", isHost: false, out _);

        Assert.Equal(ShareDecision.Busy, _presentation.Start("bob", isHost: false, out var previous));
        Assert.Null(previous);
        Assert.Equal("ada", _presentation.PresenterId);
    }

    [Fact]
    public void The_host_takes_over_and_learns_whose_share_ends()
    {
        _presentation.Start("ada", isHost: false, out _);

        Assert.Equal(ShareDecision.TookOver, _presentation.Start("host", isHost: true, out var previous));
        Assert.Equal("ada", previous);
        Assert.Equal("host", _presentation.PresenterId);
    }

    [Fact]
    public void Once_the_host_presents_the_previous_presenter_asking_again_is_busy()
    {
        _presentation.Start("ada", isHost: false, out _);
        _presentation.Start("host", isHost: true, out _);

        Assert.Equal(ShareDecision.Busy, _presentation.Start("ada", isHost: false, out _));
    }

    [Fact]
    public void Asking_again_while_presenting_changes_nothing()
    {
        _presentation.Start("ada", isHost: false, out _);

        Assert.Equal(ShareDecision.AlreadyPresenting, _presentation.Start("ada", isHost: false, out var previous));
        Assert.Null(previous);
        Assert.Equal("ada", _presentation.PresenterId);
    }

    [Fact]
    public void Ending_ones_own_presentation_frees_the_stage_for_anyone()
    {
        _presentation.Start("ada", isHost: false, out _);

        Assert.True(_presentation.End("ada"));
        Assert.Null(_presentation.PresenterId);
        Assert.Equal(ShareDecision.Started, _presentation.Start("bob", isHost: false, out _));
    }

    [Fact]
    public void The_presenter_message_names_nobody_as_null()
    {
        Assert.Equal("""{"type":"presenter","participantId":null}""", System.Text.Encoding.UTF8.GetString(new ServerMessage.Presenter(null).ToUtf8Json()));
    }

    [Fact]
    public void Someone_who_does_not_present_cannot_end_anothers_presentation()
    {
        _presentation.Start("ada", isHost: false, out _);

        Assert.False(_presentation.End("bob"));
        Assert.Equal("ada", _presentation.PresenterId);
    }
}
