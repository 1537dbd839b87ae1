namespace Ncp.Api.Cases;

public enum Priority
{
    Normal,
    High,
    Urgent,
}
