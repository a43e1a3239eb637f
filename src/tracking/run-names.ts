/**
 * A name for a run its client did not name, in MLflow's style (mlflow/utils/name_utils.py: a predicate, a
 * noun and a number, `bold-fox-123`): MLflow's clients send no name and show the server's.
 */
const PREDICATES = (
  'bold brave bright calm clever crisp daring eager fair gentle glad grand honest keen kind lively lucky merry neat ' +
  'nimble polite proud quick quiet rare sharp shy silent smart steady sunny swift tidy upbeat vast warm wise witty young zealous'
).split(' ');
const NOUNS = (
  'ant bat bear bee bird carp cat colt crab crow deer doe dove duck eel elk finch fish fox frog gnat goat hare hawk ' +
  'hen jay kite lark lynx mole moth newt owl ox pig ram seal slug toad wolf'
).split(' ');

const pick = (list: readonly string[]) => list[Math.floor(Math.random() * list.length)]!;

export const randomRunName = () => `${pick(PREDICATES)}-${pick(NOUNS)}-${Math.floor(Math.random() * 1001)}`;
