// govuk.js — starts GOV.UK Frontend's components (error summary, radios,
// checkboxes, navigation ...) inside a part of the page drawn after load, with
// their own words in the page's language: the components whose script writes
// words (the accordion, character count, exit this page, password input, file
// upload) are given them from the message catalogue (messages/*.js, govuk.*).
// A page drawn again in the other language starts its components again.
import {initAll} from '/dist/govuk-frontend.min.js';
import {t} from './i18n.js';

const plural = (key) => ({one: t(`${key}.one`), other: t(`${key}.other`)});

export function componentWords() {
  return {
    accordion: {i18n: {
      showAllSections: t('govuk.accordion.show_all'),
      hideAllSections: t('govuk.accordion.hide_all'),
      showSection: t('govuk.accordion.show'),
      hideSection: t('govuk.accordion.hide'),
      showSectionAriaLabel: t('govuk.accordion.show_label'),
      hideSectionAriaLabel: t('govuk.accordion.hide_label'),
    }},
    characterCount: {i18n: {
      charactersUnderLimit: plural('govuk.count.chars_under'),
      charactersAtLimit: t('govuk.count.chars_at'),
      charactersOverLimit: plural('govuk.count.chars_over'),
      wordsUnderLimit: plural('govuk.count.words_under'),
      wordsAtLimit: t('govuk.count.words_at'),
      wordsOverLimit: plural('govuk.count.words_over'),
    }},
    exitThisPage: {i18n: {
      activated: t('govuk.exit.activated'),
      timedOut: t('govuk.exit.timed_out'),
      pressTwoMoreTimes: t('govuk.exit.press_two'),
      pressOneMoreTime: t('govuk.exit.press_one'),
    }},
    passwordInput: {i18n: {
      showPassword: t('govuk.password.show'),
      hidePassword: t('govuk.password.hide'),
      showPasswordAriaLabel: t('govuk.password.show_label'),
      hidePasswordAriaLabel: t('govuk.password.hide_label'),
      passwordShownAnnouncement: t('govuk.password.shown'),
      passwordHiddenAnnouncement: t('govuk.password.hidden'),
    }},
    fileUpload: {i18n: {
      chooseFilesButton: t('govuk.file.choose'),
      dropInstruction: t('govuk.file.drop'),
      noFileChosen: t('govuk.file.none'),
      multipleFilesChosen: plural('govuk.file.chosen'),
      enteredDropZone: t('govuk.file.entered'),
      leftDropZone: t('govuk.file.left'),
    }},
  };
}

export const enhance = (scope) => initAll({scope, ...componentWords()});
