using System.Globalization;

namespace Ncp.Worker.Notifications;

/// <summary>The words of notification mail in the unit's three languages: Kazakh, Russian and English (the fallback).</summary>
public sealed record NotificationTexts(
    string Subject, string Reached, string SubjectLine, string Partner, string ToldAs, string Suggest, string Remind, string Open,
    string DigestSubject, string DigestHeader)
{
    private static readonly Dictionary<string, NotificationTexts> Languages = new()
    {
        ["en"] = new(
            "[{0}] {1} reached: {2}",
            "{0}: the rung {1} was reached (due {2} UTC).",
            "Subject: {0}",
            "Partner: {0} via {1}, priority {2}.",
            "You are told as: {0}.",
            "Suggested action: {0}.",
            "The partner is to be reminded in the same mail thread.",
            "Open the item: {0}",
            "Ncp digest for {0}: {1} due in 24 h",
            "Falling due in the next 24 hours ({0}):"),
        ["ru"] = new(
            "[{0}] достигнут этап {1}: {2}",
            "{0}: достигнут этап {1} (срок {2} UTC).",
            "Тема: {0}",
            "Партнёр: {0}, канал {1}, приоритет {2}.",
            "Вы уведомлены как: {0}.",
            "Рекомендуемое действие: {0}.",
            "Партнёру будет направлено напоминание в той же переписке.",
            "Открыть запрос: {0}",
            "Сводка Ncp за {0}: сроков в ближайшие 24 ч: {1}",
            "Сроки в ближайшие 24 часа ({0}):"),
        ["kk"] = new(
            "[{0}] {1} кезеңіне жетті: {2}",
            "{0}: {1} кезеңіне жетті (мерзімі {2} UTC).",
            "Тақырыбы: {0}",
            "Серіктес: {0}, арна {1}, басымдық {2}.",
            "Сіз хабардар етілдіңіз: {0}.",
            "Ұсынылатын әрекет: {0}.",
            "Серіктеске сол хат алмасуда еске салу жіберіледі.",
            "Сұрауды ашу: {0}",
            "Ncp шолуы, {0}: алдағы 24 сағаттағы мерзімдер: {1}",
            "Алдағы 24 сағаттағы мерзімдер ({0}):"),
    };

    public static NotificationTexts For(string? language) =>
        Languages.TryGetValue(language ?? "en", out var texts) ? texts : Languages["en"];

    public static string Format(string template, params object[] values) => string.Format(CultureInfo.InvariantCulture, template, values);
}
