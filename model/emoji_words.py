"""The emoji and emoticon sentiment tables that ``model.text.ChatNormalize`` maps to words.

A word per polarity that the IMDB vocabulary already knows ("great", "love", "awful",
"disappointing"); the tables are stored in the layer config, so a saved model keeps the
tables it was trained with.
"""

from __future__ import annotations

# Emoji sentiment table: emoji (by CLDR name, resolved with the ``emoji`` package) mapped to a
# word whose polarity the IMDB-trained model already knows. Polarity follows the Emoji
# Sentiment Ranking (Kralj Novak et al., 2015) for the emoji it covers.
EMOJI_WORDS: dict[str, tuple[str, ...]] = {
    "great": (
        ":grinning_face:",
        ":grinning_face_with_big_eyes:",
        ":grinning_face_with_smiling_eyes:",
        ":beaming_face_with_smiling_eyes:",
        ":smiling_face_with_smiling_eyes:",
        ":slightly_smiling_face:",
        ":grinning_squinting_face:",
        ":smiling_face:",
        ":thumbs_up:",
        ":OK_hand:",
        ":clapping_hands:",
        ":party_popper:",
        ":star-struck:",
        ":hundred_points:",
        ":raising_hands:",
        ":trophy:",
        ":sparkles:",
        ":check_mark_button:",
        ":face_with_tears_of_joy:",
        ":rolling_on_the_floor_laughing:",
        ":smiling_face_with_halo:",
        ":grinning_face_with_sweat:",
        ":winking_face:",
        ":sun_with_face:",
        ":glowing_star:",
        ":flexed_biceps:",
        ":rocket:",
        ":confetti_ball:",
        ":smiling_face_with_sunglasses:",
    ),
    "love": (
        ":red_heart:",
        ":smiling_face_with_heart-eyes:",
        ":face_blowing_a_kiss:",
        ":smiling_face_with_hearts:",
        ":orange_heart:",
        ":yellow_heart:",
        ":green_heart:",
        ":blue_heart:",
        ":purple_heart:",
        ":two_hearts:",
        ":sparkling_heart:",
        ":growing_heart:",
        ":heart_with_ribbon:",
        ":revolving_hearts:",
        ":smiling_face_with_open_hands:",
    ),
    "awful": (
        ":enraged_face:",
        ":angry_face:",
        ":face_with_symbols_on_mouth:",
        ":thumbs_down:",
        ":pile_of_poo:",
        ":nauseated_face:",
        ":face_vomiting:",
        ":broken_heart:",
        ":angry_face_with_horns:",
        ":middle_finger:",
        ":skull:",
        ":cross_mark:",
    ),
    "disappointing": (
        ":crying_face:",
        ":loudly_crying_face:",
        ":disappointed_face:",
        ":pensive_face:",
        ":worried_face:",
        ":frowning_face:",
        ":slightly_frowning_face:",
        ":confounded_face:",
        ":persevering_face:",
        ":weary_face:",
        ":tired_face:",
        ":unamused_face:",
        ":face_with_rolling_eyes:",
        ":anguished_face:",
        ":fearful_face:",
        ":face_screaming_in_fear:",
        ":downcast_face_with_sweat:",
        ":sad_but_relieved_face:",
        ":face_with_steam_from_nose:",
    ),
}

# Emoticons (matched case-sensitively, standing alone between spaces, also HTML-escaped as
# Slack sends them: &lt;3) mapped the same way; a run of one face counts once.
EMOTICON_WORDS: dict[str, tuple[str, ...]] = {
    "great": (":)", ":-)", ":D", ":-D", "=)", ";)", ";-)", "xD", "XD", ":P", ":-P", "(:", "^_^"),
    "love": ("<3",),
    "awful": (">:(", ">:-(", "D:"),
    "disappointing": (":(", ":-(", ":'(", ":/", ":-/", "):", "</3", "-_-"),
}
