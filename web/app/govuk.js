// govuk.js — starts GOV.UK Frontend's components (error summary, radios,
// checkboxes, navigation ...) inside a part of the page drawn after load.
import {initAll} from '/dist/govuk-frontend.min.js';

export const enhance = (scope) => initAll({scope});
