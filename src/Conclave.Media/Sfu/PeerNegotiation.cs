using System.Globalization;
using System.Net;
using Conclave.Media.Ice;
using Conclave.Media.Sdp;

namespace Conclave.Media.Sfu;

/// <summary>
/// The offer/answer state of one peer's SDP (RFC 3264, RFC 8829): its m-sections, the
/// offer awaiting an answer, and a renegotiation deferred until that answer. The
/// appliance always offers and the browser always answers, one offer at a time, so
/// there is no glare (RFC 8829 §4.1.8).
/// NOTE: every member runs on the media loop thread.
/// </summary>
internal sealed class PeerNegotiation
{
    /// <summary>The recvonly section where the browser sends its microphone.</summary>
    public const string PublishAudioMid = "0";

    /// <summary>The recvonly section where the browser sends its camera.</summary>
    public const string PublishVideoMid = "1";

    /// <summary>The recvonly section where the browser sends the screen it shares (docs/content-sharing.md).</summary>
    public const string PublishScreenMid = "2";

    private readonly IPeerSignalSink _sink;      // Passed by argument.
    private readonly string _localDtlsFingerprint;
    private readonly IPEndPoint _candidate;
    private readonly List<NegotiatedSection> _sections = new();
    private readonly ulong _sdpSessionId = (ulong)Random.Shared.NextInt64(1, long.MaxValue);

    private SdpOffer? _lastOffer;
    private int _revision;
    private int _answeredRevision;
    private bool _awaitingAnswer;
    private bool _renegotiationPending;
    private int _nextMid = 3;

    /// <param name="localDtlsFingerprint">The appliance's certificate fingerprint (RFC 8122).</param>
    /// <param name="candidate">The one ICE host candidate.</param>
    public PeerNegotiation(IPeerSignalSink sink, string localDtlsFingerprint, IPEndPoint candidate)
    {
        _sink = sink;
        _localDtlsFingerprint = localDtlsFingerprint;
        _candidate = candidate;
        _sections.Add(new NegotiatedSection(PublishAudioMid, MediaKind.Audio, MediaDirection.RecvOnly, null));
        _sections.Add(new NegotiatedSection(PublishVideoMid, MediaKind.Video, MediaDirection.RecvOnly, null));
        _sections.Add(new NegotiatedSection(PublishScreenMid, MediaKind.Video, MediaDirection.RecvOnly, null));
    }

    /// <summary>Which of its own streams the browser sends on <paramref name="mid"/>; null for a section it receives on.</summary>
    public static MediaSource? PublishedOn(string mid) => mid switch
    {
        PublishAudioMid => MediaSource.Microphone,
        PublishVideoMid => MediaSource.Camera,
        PublishScreenMid => MediaSource.Screen,
        _ => null,
    };

    /// <summary>The browser's a=fingerprint, pinned by the first answer applied (RFC 5763 §5).</summary>
    public string? RemoteDtlsFingerprint { get; private set; }

    /// <summary>
    /// The mid for a new stream of <paramref name="kind"/>: an inactive section whose going
    /// inactive the browser has answered (so its transceiver stopped receiving and a new
    /// stream there fires a new track event), or else a new section.
    /// </summary>
    public string MidForNewStream(MediaKind kind)
    {
        foreach (var section in _sections)
        {
            if (section.Kind == kind && section.Consumer is null && section.Direction == MediaDirection.Inactive &&
                section.InactiveSinceRevision != 0 && section.InactiveSinceRevision <= _answeredRevision)
            {
                return section.Mid;
            }
        }
        return (_nextMid++).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Makes <paramref name="consumer"/>'s section, reused or new, sendonly with its stream.</summary>
    public void AddSendOnlySection(Consumer consumer)
    {
        foreach (var section in _sections)
        {
            if (section.Mid != consumer.Mid) continue;
            section.Consumer = consumer;
            section.Direction = MediaDirection.SendOnly;
            section.InactiveSinceRevision = 0;
            return;
        }
        _sections.Add(new NegotiatedSection(consumer.Mid, consumer.Producer.Kind, MediaDirection.SendOnly, consumer));
    }

    /// <summary>The section of a consumer that stopped goes inactive in the next offer, until a newcomer's stream takes it.</summary>
    public void Deactivate(Consumer consumer)
    {
        foreach (var section in _sections)
        {
            if (section.Consumer != consumer) continue;
            section.Consumer = null;
            section.Direction = MediaDirection.Inactive;
            // An offer awaiting its answer still carries the stream: the next one is the first without.
            section.InactiveSinceRevision = _revision + 1;
            return;
        }
    }

    /// <summary>Sends a new offer now, or after the answer to the one outstanding.</summary>
    public void Offer(IceCredentials localIce)
    {
        if (_awaitingAnswer)
        {
            _renegotiationPending = true;
            return;
        }
        _revision++;
        var offered = new List<OfferedSection>(_sections.Count);
        var tracks = new List<TrackMapping>();
        foreach (var section in _sections)
        {
            ForwardedStream? stream = null;
            if (section.Consumer is { } consumer)
            {
                var producer = consumer.Producer;
                string streamId = producer.PublisherId;
                stream = new ForwardedStream(streamId, $"{streamId}-{TrackSuffix(producer.Source)}",
                    producer.PublisherCname, consumer.Ssrc, producer.Kind == MediaKind.Video ? consumer.RtxSsrc : null);
                tracks.Add(new TrackMapping(section.Mid, streamId, section.Kind, producer.Source));
            }
            offered.Add(new OfferedSection(section.Mid, section.Kind, section.Direction, stream));
        }
        _lastOffer = new SdpOffer(_sdpSessionId, (ulong)_revision, localIce.Ufrag, localIce.Password,
            _localDtlsFingerprint, _candidate, offered);
        _awaitingAnswer = true;
        _sink.SendOffer(new PeerOffer(_revision, SdpWriter.WriteOffer(_lastOffer), PublishAudioMid, PublishVideoMid, PublishScreenMid, tracks));
    }

    /// <summary>The msid track id's suffix (RFC 8830 §2): one publisher's camera and screen are two tracks of its stream.</summary>
    private static string TrackSuffix(MediaSource source) => source switch
    {
        MediaSource.Microphone => "audio",
        MediaSource.Camera => "video",
        _ => "screen",
    };

    /// <summary>
    /// Checks that <paramref name="sdp"/> answers the offer awaiting an answer; if it does,
    /// that offer is answered and <paramref name="answer"/> holds what the browser said.
    /// </summary>
    public AnswerResult Accept(int revision, string sdp, out SdpAnswer? answer)
    {
        answer = null;
        if (!_awaitingAnswer || revision != _revision || _lastOffer is null)
        {
            return _awaitingAnswer
                ? AnswerResult.Refused(AnswerOutcome.StaleRevision, $"answer names offer revision {revision}, but revision {_revision} awaits an answer")
                : AnswerResult.Refused(AnswerOutcome.NoOfferAwaiting, $"answer for revision {revision} arrived, but no offer awaits an answer");
        }
        if (!SdpParser.TryParseAnswer(sdp, out var parsed, out var error)) return AnswerResult.Refused(AnswerOutcome.BadSdp, error!);
        if (!SdpAnswerValidator.TryValidate(_lastOffer, parsed!, out error)) return AnswerResult.Refused(AnswerOutcome.MismatchedSections, error!);
        if (RemoteDtlsFingerprint is not null && RemoteDtlsFingerprint != parsed!.DtlsFingerprintSha256)
        {
            return AnswerResult.Refused(AnswerOutcome.FingerprintChanged, "the DTLS fingerprint changed within a session; join again");
        }
        RemoteDtlsFingerprint = parsed!.DtlsFingerprintSha256;
        _awaitingAnswer = false;
        _answeredRevision = revision;
        answer = parsed;
        return AnswerResult.Applied;
    }

    /// <summary>Sends the offer that a renegotiation deferred while an answer was awaited.</summary>
    public void OfferIfDeferred(IceCredentials localIce)
    {
        if (!_renegotiationPending) return;
        _renegotiationPending = false;
        Offer(localIce);
    }
}
