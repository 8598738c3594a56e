namespace Conclave.Media.Dtls;

public enum DtlsSessionState
{
    Handshaking,
    Connected,
    Failed,
    Closed,
}
