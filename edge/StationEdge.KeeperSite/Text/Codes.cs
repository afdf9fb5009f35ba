using StationEdge.Door.Control;

namespace StationEdge.KeeperSite.Text;

/// <summary>The words for the station's stable codes: visit reasons, quality problems, audit actions, door alarms.</summary>
public static class Codes
{
    /// <summary>The consent text's version, stored with each enrolment; change it whenever the text changes.</summary>
    public const string ConsentVersion = "pipl-2026-12-v1";

    public static readonly Phrase ConsentText = new(
        "本驿站用人脸识别开门。我们收集：您的姓名、所在单位或平台，手机号和工会会员号（可不填），以及从您的面部照片算出的人脸特征数据。"
        + "用途：只用于本驿站（县总工会开通后，也用于本县其他驿站）认出您、为您开门、记录到访。"
        + "保存：人脸特征数据加密保存在本驿站的设备上，照片不保存、不外传；到访记录保存 90 天后删除。"
        + "撤回：您随时可以请站长暂停或删除您的信息，删除后人脸数据立即清除，通知县总工会同步删除。"
        + "不同意也没关系：站长可以为您开门或发通行码。",
        "This station opens its door by face recognition. We collect your name, your employer or platform, optionally your phone "
        + "and union member number, and face data computed from photos of your face. Purpose: only to recognise you at this station "
        + "(and, once the county union enables it, at the county's other stations), to open the door for you and to record your visits. "
        + "Keeping: the face data is kept encrypted on this station's device; photos are neither kept nor sent anywhere; visit records "
        + "are deleted after 90 days. Withdrawing: ask the keeper at any time to suspend or delete your record; deletion removes your face "
        + "data at once and tells the county union to delete it too. If you do not agree, the keeper can let you in or give you a pass.");

    private static readonly Dictionary<string, Phrase> Reasons = new(StringComparer.Ordinal)
    {
        ["matched"] = new("认出了", "Recognised"),
        ["unknown"] = new("没认出", "Not recognised"),
        ["suspended"] = new("已暂停", "Suspended"),
        ["expired"] = new("已过有效期", "Past the valid date"),
        ["outside_hours"] = new("不在开放时间", "Outside opening hours"),
        ["liveness"] = new("像是照片或屏幕", "Looked like a photo or a screen"),
        ["no_face"] = new("没看到脸", "No face"),
        ["several_faces"] = new("镜头前不止一个人", "More than one person"),
        ["too_small"] = new("离镜头太远", "Too far from the camera"),
        ["turned"] = new("没有正对镜头", "Not facing the camera"),
        ["dark"] = new("光线太暗", "Too dark"),
        ["bright"] = new("光线太亮", "Too bright"),
        ["blurred"] = new("画面模糊", "Blurred"),
        ["pass"] = new("通行码有效", "Valid pass"),
        ["pass_forged"] = new("通行码是伪造的或被改过", "Forged or altered pass"),
        ["pass_expired"] = new("通行码已过期", "Expired pass"),
        ["pass_revoked"] = new("通行码已作废", "Revoked pass"),
        ["pass_unknown"] = new("本站没有这个通行码", "Pass unknown here"),
        ["pass_suspended"] = new("通行码的工友已暂停", "The pass's worker is suspended"),
        ["pass_worker_deleted"] = new("通行码的工友已删除", "The pass's worker was deleted"),
        ["door_refused"] = new("门暂时打不开", "The door would not open"),
        [KeeperOpenReason] = new("站长开门", "Opened by the keeper"),
    };

    /// <summary>Quality problems (the quality gate's codes) and what to tell the person at the camera.</summary>
    private static readonly Dictionary<string, Phrase> Guidance = new(StringComparer.Ordinal)
    {
        ["no_face"] = Texts.GuideFaceCamera,
        ["several_faces"] = Texts.GuideOnePerson,
        ["too_small"] = Texts.GuideCloser,
        ["turned"] = Texts.GuideFaceCamera,
        ["dark"] = Texts.GuideDark,
        ["bright"] = Texts.GuideBright,
        ["blurred"] = Texts.GuideStill,
    };

    private static readonly Dictionary<string, Phrase> Actions = new(StringComparer.Ordinal)
    {
        ["worker.enroll"] = new("录入工友", "Enrolled a worker"),
        ["worker.edit"] = new("修改工友信息", "Edited a worker"),
        ["worker.consent"] = new("修改刷脸范围", "Changed where a worker is recognised"),
        ["worker.suspend"] = new("暂停工友", "Suspended a worker"),
        ["worker.resume"] = new("恢复工友", "Resumed a worker"),
        ["worker.delete"] = new("删除工友", "Deleted a worker"),
        ["worker.templates.add"] = new("补录人脸", "Added face templates"),
        ["templates.prune"] = new("清理旧模板", "Pruned old templates"),
        ["door.open"] = new("手动开门", "Opened the door"),
        ["visit.flag"] = new("标记记录有误", "Flagged a visit"),
        ["pass.issue"] = new("发通行码", "Issued a pass"),
        ["pass.revoke"] = new("作废通行码", "Revoked a pass"),
        ["keeper.login"] = new("登录", "Logged in"),
        ["keeper.login_failed"] = new("登录失败", "Failed login"),
        ["keeper.logout"] = new("退出", "Logged out"),
        ["keeper.add"] = new("添加站长", "Added a keeper"),
        ["keeper.remove"] = new("删除站长", "Removed a keeper"),
        ["keeper.password"] = new("重设密码", "Reset a password"),
    };

    /// <summary>The visit reason of an unlock by hand.</summary>
    public const string KeeperOpenReason = "keeper_open";

    /// <summary>The audit action of a flagged visit; its target is the visit id, its details the keeper's note.</summary>
    public const string FlagAction = "visit.flag";

    public static string Reason(string code, Language language) => Reasons.TryGetValue(code, out var phrase) ? phrase.In(language) : code;

    /// <summary>What to tell the person at the camera for a quality code, or null when the code is no quality problem.</summary>
    public static Phrase? GuidanceFor(string? code) => code is not null && Guidance.TryGetValue(code, out var phrase) ? phrase : null;

    public static string Action(string code, Language language) => Actions.TryGetValue(code, out var phrase) ? phrase.In(language) : code;

    public static Phrase Alarm(DoorAlarm alarm) => alarm switch
    {
        DoorAlarm.ForcedOpen => Texts.AlarmForcedOpen,
        DoorAlarm.HeldOpen => Texts.AlarmHeldOpen,
        DoorAlarm.RelayStuck => Texts.AlarmRelayStuck,
        _ => Texts.AlarmFault,
    };

    /// <summary>Every phrase behind the codes, for the test that checks both languages are there.</summary>
    internal static IEnumerable<Phrase> All => Reasons.Values.Concat(Actions.Values).Append(ConsentText);
}
