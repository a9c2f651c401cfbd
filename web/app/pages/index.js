// pages/index.js — every page, for the router in main.js.
export {signIn, signOutPage as signOut, password} from './signin.js';
export {caseload, children} from './caseload.js';
export {child} from './child.js';
export {chooseCommand, command} from './command.js';
export {team, service} from './dashboard.js';
export {verify} from './verify.js';
export {staff} from './staff.js';
export {home, notFound, failed} from './common.js';
export {signOffs, signOff} from './signoffs.js';
export {restriction} from './restriction.js';
export {measures, measure} from './measures.js';
export {integrity} from './integrity.js';
export {erasures, erasure} from './erasures.js';
export {returns} from './returns.js';
export {audits, auditCase, programme, auditReports} from './audits.js';
export {improvement, improvementPlan, improvementAction, improvementReport} from './improvement.js';
