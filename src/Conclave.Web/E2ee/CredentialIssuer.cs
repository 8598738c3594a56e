using Conclave.Meetings.Admission;
using Conclave.Meetings.Ports;
using Conclave.Web.Ports;

namespace Conclave.Web.E2ee;

/// <summary>
/// The MLS Authentication Service (RFC 9420 §5.3.1): once admission has let someone in, it
/// binds the signature key their browser chose for this meeting to who they are, here and
/// now, under the credential CA's signature. Nobody else's key is ever signed: the attendee
/// comes from the cookie, the participant id from the media plane.
/// </summary>
public sealed class CredentialIssuer(ICredentialSigner signer, IMeetingStore meetings, TimeProvider time)
{
    /// <summary>
    /// At least this long from the join, and at least until an hour after the meeting's
    /// scheduled end: members check every leaf's credential whenever the group changes, so
    /// one that expired mid-meeting would stop the group. The credential is bound to a key
    /// pair made for this one join, which only that browser holds.
    /// </summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    public static readonly TimeSpan AfterScheduledEnd = TimeSpan.FromHours(1);

    /// <summary>Throws a DomainException (Unavailable) when the token cannot sign.</summary>
    public IssuedCredential Issue(Attendee attendee, string meetingId, string participantId, MlsSignatureKey signatureKey)
    {
        var meeting = meetings.Find(meetingId) ?? throw new InvalidOperationException($"meeting {meetingId} was admitted to but no longer exists");
        return ConclaveCredential.Sign(new CredentialBody(meeting.Id, participantId, attendee.Key, attendee.DisplayName, AttendeeKinds.Of(attendee, meeting),
            (ulong)NotAfter(meeting.EndsAt).ToUnixTimeSeconds(), signatureKey.Sha256()), signer);
    }

    private DateTimeOffset NotAfter(DateTimeOffset meetingEndsAt)
    {
        var fromJoin = time.GetUtcNow() + Lifetime;
        var afterEnd = meetingEndsAt + AfterScheduledEnd;
        return fromJoin > afterEnd ? fromJoin : afterEnd;
    }
}
