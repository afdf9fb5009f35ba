namespace StationEdge.CountySite;

/// <summary>
/// The words a county clerk reads for the stations' stable codes (visit reasons, methods, door alarms). A code this
/// site does not know yet (a newer station's) is shown as itself rather than hidden.
/// </summary>
public static class CountyCodes
{
    private static readonly Dictionary<string, (string Zh, string En)> Reasons = new(StringComparer.Ordinal)
    {
        ["match"] = ("识别通过", "Recognised"),
        ["matched"] = ("识别通过", "Recognised"),
        ["recognised"] = ("识别通过", "Recognised"),
        ["unknown"] = ("陌生人（未登记）", "Stranger (not enrolled)"),
        ["suspended"] = ("工友已暂停", "Worker suspended"),
        ["expired"] = ("已过有效期", "Past the valid date"),
        ["outside_hours"] = ("不在开放时间", "Outside opening hours"),
        ["liveness"] = ("疑似照片或屏幕", "Looked like a photo or screen"),
        ["no_face"] = ("没拍到脸", "No face seen"),
        ["several_faces"] = ("镜头前不止一人", "More than one person"),
        ["too_small"] = ("离镜头太远", "Too far from the camera"),
        ["turned"] = ("没有正对镜头", "Not facing the camera"),
        ["dark"] = ("光线太暗", "Too dark"),
        ["bright"] = ("光线太亮", "Too bright"),
        ["blurred"] = ("画面模糊", "Blurred picture"),
        ["pass"] = ("通行证有效", "Valid pass"),
        ["pass_forged"] = ("通行证伪造或被改", "Forged or altered pass"),
        ["pass_expired"] = ("通行证已过期", "Expired pass"),
        ["pass_revoked"] = ("通行证已作废", "Revoked pass"),
        ["pass_unknown"] = ("本站没有此通行证", "Pass unknown here"),
        ["pass_suspended"] = ("通行证的工友已暂停", "Pass's worker suspended"),
        ["pass_worker_deleted"] = ("通行证的工友已删除", "Pass's worker deleted"),
        ["door_refused"] = ("门没能打开", "The door would not open"),
        ["keeper_open"] = ("站长开门", "Opened by the keeper"),
        ["county_unlock"] = ("县里远程开门", "Unlocked by the county"),
    };

    private static readonly Dictionary<string, (string Zh, string En)> Methods = new(StringComparer.Ordinal)
    {
        ["face"] = ("刷脸", "Face"),
        ["pass"] = ("通行证", "Pass"),
        ["keeper"] = ("站长开门", "Keeper"),
        ["remote"] = ("远程开门", "Remote"),
    };

    private static readonly Dictionary<string, (string Zh, string En)> Alarms = new(StringComparer.Ordinal)
    {
        ["door_forced"] = ("门被强行打开", "Door forced open"),
        ["forced"] = ("门被强行打开", "Door forced open"),
        ["held_open"] = ("门长时间未关", "Door held open"),
        ["door_held_open"] = ("门长时间未关", "Door held open"),
        ["relay_stuck"] = ("门锁继电器故障", "Lock relay fault"),
        ["relay_fault"] = ("门锁继电器故障", "Lock relay fault"),
        ["camera_lost"] = ("摄像头断开", "Camera lost"),
        ["bad_signature"] = ("收到签名不对的名单更新", "Roster update with a bad signature"),
        ["offline"] = ("驿站离线", "Station offline"),
    };

    /// <summary>The visits page's method filter takes only these.</summary>
    public static IReadOnlyCollection<string> MethodCodes => Methods.Keys;

    /// <summary>The reasons offered in the filter, one entry per wording (match and matched say the same).</summary>
    public static IEnumerable<string> ReasonCodes => Reasons.Keys.Where(k => k is not ("matched" or "recognised"));

    public static string Reason(Lang l, string code) => Word(Reasons, l, code);

    public static string Method(Lang l, string code) => Word(Methods, l, code);

    public static string Alarm(Lang l, string code) => Word(Alarms, l, code);

    public static string Decision(Lang l, string code) => code switch
    {
        "granted" => l.T("通过", "granted"),
        "refused" => l.T("拒绝", "refused"),
        _ => code,
    };

    private static string Word(Dictionary<string, (string Zh, string En)> words, Lang l, string code) =>
        words.TryGetValue(code, out var w) ? l.T(w.Zh, w.En) : code;
}
