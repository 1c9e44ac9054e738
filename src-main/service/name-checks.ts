// The names a user types before hosting or joining: checked here so the user hears about a bad room
// name, display name or password before any socket is opened.
import { checkRoomName, checkUsername, describeNameProblem } from '../../src-shared/protocol/names.js';
import { PASSWORD_MAX_BYTES, ROOM_NAME_MAX_BYTES, USERNAME_MAX_BYTES } from '../../src-shared/protocol/limits.js';
import { ServiceError } from './service-error.js';

export function checkNames(room: string, username: string, password: string): void {
  const roomProblem = checkRoomName(room);
  if (roomProblem)
    throw new ServiceError('BAD_NAME', describeNameProblem('The room name', roomProblem, ROOM_NAME_MAX_BYTES));
  const userProblem = checkUsername(username);
  if (userProblem)
    throw new ServiceError('BAD_NAME', describeNameProblem('The display name', userProblem, USERNAME_MAX_BYTES));
  if (new TextEncoder().encode(password).length > PASSWORD_MAX_BYTES) {
    throw new ServiceError('BAD_NAME', `The password must be at most ${PASSWORD_MAX_BYTES} bytes`);
  }
}
